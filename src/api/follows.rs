//! `GET /api/v1/resolve`, and `POST`, `GET`, `DELETE /api/v1/follows`: finding actors
//! anywhere on the fediverse and following them; `/api/v1/follow-requests`: answering the
//! follows that wait for the signed-in user's approval.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Authenticated;
use super::error::ApiJson;
use crate::app::App;
use crate::error::Result;
use crate::follows::{self, ActorView, FollowView};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveQuery {
    q: String,
}

/// Resolves `@name@host`, `!name@host` or an actor URL. Signed-in only: a resolve of a
/// remote handle makes this server fetch, which anonymous callers must not be able to
/// trigger at will.
pub async fn resolve(
    State(app): State<App>,
    _auth: Authenticated,
    Query(query): Query<ResolveQuery>,
) -> Result<Json<ActorView>> {
    let target = follows::resolve(&app, &query.q).await?;
    let mut view = follows::view_of(&app, &target).await?;
    if let follows::Target::Remote(actor) = &target {
        view.followers = follows::remote_followers(&app, actor).await;
    }
    Ok(Json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowBody {
    /// A handle or an actor URL.
    target: String,
}

pub async fn create(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<FollowBody>,
) -> Result<(StatusCode, Json<FollowView>)> {
    let target = follows::resolve(&app, &body.target).await?;
    let view = follows::follow(&app, &auth.user, target).await?;
    Ok((StatusCode::OK, Json(view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

/// The signed-in user's subscriptions, newest first.
pub async fn list(
    State(app): State<App>,
    auth: Authenticated,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<FollowView>>> {
    let limit = query.limit.unwrap_or(50);
    Ok(Json(
        follows::list(&app, &auth.user, query.before, limit).await?,
    ))
}

pub async fn delete(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    follows::unfollow(&app, &auth.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follows of the signed-in user that wait for an answer, newest first.
pub async fn requests(
    State(app): State<App>,
    auth: Authenticated,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<follows::FollowRequestView>>> {
    let limit = query.limit.unwrap_or(50);
    Ok(Json(
        follows::pending_requests(&app, &auth.user, query.before, limit).await?,
    ))
}

pub async fn authorize(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    follows::answer_request(&app, &auth.user, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn reject(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    follows::answer_request(&app, &auth.user, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
