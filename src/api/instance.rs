//! `GET /api/v1/instance`: what a client needs to know about this server before logging in.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::App;

pub async fn show(State(app): State<App>) -> Json<Value> {
    Json(json!({
        "domain": app.config.domain,
        "software": "copse",
        "version": env!("CARGO_PKG_VERSION"),
        "registration_mode": app.settings.get().registration_mode.as_str(),
    }))
}
