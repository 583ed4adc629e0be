//! Endpoints for operators: health and metrics.

use axum::Json;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::App;
use crate::db::users;
use crate::error::{Error, ErrorCode, Result};
use crate::metrics::Gauges;

/// `GET /healthz`: 200 when the database answers with the schema this copse expects, 503
/// otherwise (a database replaced by an empty one answers, and every call would fail).
pub async fn healthz(State(app): State<App>) -> Result<Response> {
    app.db.ping().await?;
    if !app.db.schema_is_current().await? {
        return Err(Error::new(
            ErrorCode::DatabaseUnavailable,
            "the database does not hold the schema this copse expects",
        ));
    }
    Ok((
        StatusCode::OK,
        Json(json!({ "status": "ok", "database": app.db.backend().as_str() })),
    )
        .into_response())
}

/// `GET /metrics`: the Prometheus text exposition.
pub async fn metrics(State(app): State<App>, headers: HeaderMap) -> Result<Response> {
    if let Some(expected) = &app.config.metrics_token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
            return Err(Error::new(
                ErrorCode::Unauthenticated,
                "metrics need Authorization: Bearer <metrics.bearer_token>",
            ));
        }
    }
    let users_by_status = app
        .db
        .run(|conn| Ok(users::count_by_status(conn)?))
        .await
        .unwrap_or_default();
    let (deliveries_pending, oldest) = app
        .db
        .run(|conn| Ok(crate::db::deliveries::backlog(conn)?))
        .await
        .unwrap_or_default();
    let deliveries_oldest = oldest
        .map(|t| (crate::time::now() - t).to_std().unwrap_or_default())
        .unwrap_or_default();
    let instances_unreachable = app
        .db
        .run(|conn| Ok(crate::db::instances::count_unreachable(conn)?))
        .await
        .unwrap_or_default();
    let pool = app.db.pool_status();
    let text = app.metrics.render(&Gauges {
        backend: app.db.backend().as_str(),
        pool_max: pool.max_size,
        pool_open: pool.open,
        pool_idle: pool.idle,
        pool_waiting: pool.waiting,
        users_by_status,
        uptime: app.started.elapsed(),
        deliveries_pending,
        deliveries_oldest,
        instances_unreachable,
    });
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response())
}

pub async fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "not found")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
