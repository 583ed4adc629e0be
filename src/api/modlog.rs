//! `GET /api/v1/modlog`: the public moderation log.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::auth::Viewer;
use crate::app::App;
use crate::error::Result;
use crate::moderation::log_view::{self, LogPage, LogQuery};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModlogQuery {
    #[serde(default)]
    community: Option<String>,
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
    /// Refused attempts too (admins only).
    #[serde(default)]
    refused: bool,
    /// Only `content`, `bans`, `reports` or `servers`.
    #[serde(default)]
    kind: Option<String>,
}

/// `GET /api/v1/modlog?community=NAME&kind=K&before=ID&limit=N`, newest first.
pub async fn list(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Query(q): Query<ModlogQuery>,
) -> Result<Json<LogPage>> {
    let query = LogQuery {
        community: q.community,
        before: q.before,
        limit: q.limit.unwrap_or(50),
        refused: q.refused,
        kind: q.kind,
    };
    Ok(Json(log_view::page(&app, viewer.as_ref(), query).await?))
}
