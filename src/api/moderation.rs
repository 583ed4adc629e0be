//! Moderators' and admins' actions: removing and restoring content, locking threads,
//! banning from a community or the instance, purging. The rules live in
//! `crate::moderation`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Authenticated;
use super::error::ApiJson;
use crate::app::App;
use crate::discussions::{CommentView, PostView};
use crate::error::{Error, ErrorCode, Result};
use crate::moderation::bans::{self, BanInput, BanView};
use crate::moderation::content;
use crate::moderation::purge::{self, Purge, Purged};

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveBody {
    /// `false` restores.
    #[serde(default = "yes")]
    removed: bool,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/posts/{id}/remove`
pub async fn remove_post(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RemoveBody>,
) -> Result<Json<PostView>> {
    let view = content::set_post_removed(&app, &auth.user, id, body.removed, body.reason).await?;
    Ok(Json(view))
}

/// `POST /api/v1/comments/{id}/remove`
pub async fn remove_comment(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RemoveBody>,
) -> Result<Json<CommentView>> {
    let view =
        content::set_comment_removed(&app, &auth.user, id, body.removed, body.reason).await?;
    Ok(Json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    /// `false` reopens.
    #[serde(default = "yes")]
    locked: bool,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/posts/{id}/lock`
pub async fn lock_post(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LockBody>,
) -> Result<Json<PostView>> {
    let view = content::set_post_locked(&app, &auth.user, id, body.locked, body.reason).await?;
    Ok(Json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BanBody {
    person: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    expires_in_days: Option<u32>,
    #[serde(default)]
    remove_data: bool,
}

impl From<BanBody> for BanInput {
    fn from(b: BanBody) -> Self {
        BanInput {
            person: b.person,
            reason: b.reason,
            expires_in_days: b.expires_in_days,
            remove_data: b.remove_data,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(default)]
    before: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonQuery {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/communities/{name}/bans`
pub async fn ban_in_community(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<BanBody>,
) -> Result<(StatusCode, Json<BanView>)> {
    let ban = bans::ban_in_community(&app, &auth.user, &name, body.into()).await?;
    Ok((StatusCode::CREATED, Json(ban)))
}

/// `GET /api/v1/communities/{name}/bans?before=ID`
pub async fn community_bans(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Vec<BanView>>> {
    Ok(Json(
        bans::list_in_community(&app, &auth.user, &name, q.before).await?,
    ))
}

/// `DELETE /api/v1/communities/{name}/bans/{id}?reason=…`
pub async fn unban_in_community(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    Query(q): Query<ReasonQuery>,
) -> Result<StatusCode> {
    bans::unban_in_community(&app, &auth.user, &name, id, q.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/bans`
pub async fn ban_from_instance(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<BanBody>,
) -> Result<(StatusCode, Json<BanView>)> {
    let ban = bans::ban_from_instance(&app, &auth.user, body.into()).await?;
    Ok((StatusCode::CREATED, Json(ban)))
}

/// `GET /api/v1/admin/bans?before=ID`
pub async fn instance_bans(
    State(app): State<App>,
    auth: Authenticated,
    Query(q): Query<PageQuery>,
) -> Result<Json<Vec<BanView>>> {
    Ok(Json(bans::list_instance(&app, &auth.user, q.before).await?))
}

/// `DELETE /api/v1/admin/bans/{id}?reason=…`
pub async fn unban_from_instance(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<ReasonQuery>,
) -> Result<StatusCode> {
    bans::unban_from_instance(&app, &auth.user, id, q.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeBody {
    #[serde(default)]
    post_id: Option<i64>,
    #[serde(default)]
    comment_id: Option<i64>,
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/admin/purge`
pub async fn purge(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<PurgeBody>,
) -> Result<Json<Purged>> {
    let what = match (body.post_id, body.comment_id, body.person) {
        (Some(id), None, None) => Purge::Post(id),
        (None, Some(id), None) => Purge::Comment(id),
        (None, None, Some(person)) => Purge::Person(person),
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "name exactly one of post_id, comment_id and person",
            ));
        }
    };
    Ok(Json(
        purge::purge(&app, &auth.user, what, body.reason).await?,
    ))
}
