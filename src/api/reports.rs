//! `/api/v1/reports`: reporting posts, comments and people, and the moderators' queues.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Authenticated;
use super::error::ApiJson;
use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::moderation::reports::{
    self, Decision, ReportInput, ReportPage, ReportStatus, ReportView, Scope,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    #[serde(default)]
    post_id: Option<i64>,
    #[serde(default)]
    comment_id: Option<i64>,
    /// A handle or an actor URL.
    #[serde(default)]
    person: Option<String>,
    reason: String,
    #[serde(default)]
    forward: bool,
}

/// `POST /api/v1/reports`: 201 with a new report, 200 with the reporter's open report of
/// the same thing.
pub async fn create(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<ReportView>)> {
    let input = ReportInput {
        post_id: body.post_id,
        comment_id: body.comment_id,
        person: body.person,
        reason: body.reason,
        forward: body.forward,
    };
    let (view, created) = reports::file(&app, &auth.user, input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    community: Option<String>,
    /// `all` for every queue (admins).
    #[serde(default)]
    scope: Option<String>,
    /// `open` (default), `resolved`, `dismissed` or `all`.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

/// `GET /api/v1/reports?community=NAME&status=open&before=ID&limit=N`, or without
/// `community` the instance's queue (`scope=all`: every queue) for admins.
pub async fn list(
    State(app): State<App>,
    auth: Authenticated,
    Query(q): Query<ListQuery>,
) -> Result<Json<ReportPage>> {
    let scope = match (q.community, q.scope.as_deref()) {
        (Some(name), None) => Scope::Community(name),
        (None, None | Some("instance")) => Scope::Instance,
        (None, Some("all")) => Scope::All,
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "give either community=NAME, or scope=instance or scope=all",
            ));
        }
    };
    let status = match q.status.as_deref() {
        None => Some(ReportStatus::Open),
        Some("all") => None,
        Some(s) => Some(ReportStatus::parse(s).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidRequest,
                format!("status '{s}' is not one of open, resolved, dismissed, all"),
            )
        })?),
    };
    let page = reports::list(
        &app,
        &auth.user,
        scope,
        status,
        q.before,
        q.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(page))
}

/// `GET /api/v1/reports/{id}`
pub async fn show(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<ReportView>> {
    Ok(Json(reports::get(&app, &auth.user, id).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/reports/{id}/resolve`
pub async fn resolve(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ReportView>> {
    let view = reports::decide(&app, &auth.user, id, Decision::Resolve, body.note).await?;
    Ok(Json(view))
}

/// `POST /api/v1/reports/{id}/dismiss`
pub async fn dismiss(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ReportView>> {
    let view = reports::decide(&app, &auth.user, id, Decision::Dismiss, body.note).await?;
    Ok(Json(view))
}
