//! `POST /api/v1/accounts` (sign up) and `GET /api/v1/accounts/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Authenticated;
use super::error::ApiJson;
use super::views::AccountView;
use crate::accounts::{self, AccountStatus, NewAccount};
use crate::app::App;
use crate::error::Result;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn register(
    State(app): State<App>,
    ApiJson(body): ApiJson<SignUp>,
) -> Result<(StatusCode, Json<Value>)> {
    let registered = accounts::register(
        &app.db,
        app.config.registration_mode,
        NewAccount {
            username: body.username,
            email: body.email,
            password: body.password,
            reason: body.reason,
        },
    )
    .await?;
    let user = &registered.user;
    let (status, next) = match user.status() {
        AccountStatus::Active => (StatusCode::CREATED, "log in with POST /api/v1/auth/login"),
        AccountStatus::Pending => (
            StatusCode::ACCEPTED,
            "an admin will review the sign-up; you can log in once it is approved",
        ),
    };
    Ok((
        status,
        Json(json!({ "account": AccountView::from(user), "next": next })),
    ))
}

pub async fn me(auth: Authenticated) -> Json<AccountView> {
    Json(AccountView::from(&auth.user))
}
