//! Admin endpoints for the sign-up approval queue.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Authenticated;
use super::views::AccountView;
use crate::accounts::{self, AccountStatus};
use crate::app::App;
use crate::error::{Error, ErrorCode, Result};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

/// `GET /api/v1/admin/accounts?status=pending&after=ID&limit=N`
pub async fn list(
    State(app): State<App>,
    auth: Authenticated,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let status = match q.status.as_deref() {
        None => AccountStatus::Pending,
        Some(s) => AccountStatus::parse(s).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidRequest,
                format!("status '{s}' is not one of pending, active"),
            )
        })?,
    };
    let limit = q.limit.unwrap_or(50);
    let users = accounts::list_by_status(&app.db, &auth.user, status, q.after, limit).await?;
    let next = (users.len() as i64 == limit.clamp(1, 200))
        .then(|| users.last().map(|u| u.id))
        .flatten();
    let items: Vec<AccountView> = users.iter().map(AccountView::from).collect();
    Ok(Json(json!({ "items": items, "next_after": next })))
}

/// `POST /api/v1/admin/accounts/{id}/approve`
pub async fn approve(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<AccountView>> {
    let user = accounts::approve(&app.db, &auth.user, id).await?;
    tracing::info!(admin = %auth.user.username, account = %user.username, "sign-up approved");
    Ok(Json(AccountView::from(&user)))
}

/// `POST /api/v1/admin/accounts/{id}/reject`
pub async fn reject(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let user = accounts::reject(&app.db, &auth.user, id).await?;
    tracing::info!(admin = %auth.user.username, account = %user.username, "sign-up rejected");
    Ok(Json(json!({ "rejected": user.username })))
}
