//! Comments and votes: `/api/v1/posts/{id}/comments`, `/api/v1/comments/{id}`, and the
//! `vote` endpoints of posts and comments.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::{Authenticated, Viewer};
use super::error::ApiJson;
use crate::app::App;
use crate::db::votes::Voted;
use crate::discussions::votes::{self, Tally};
use crate::discussions::{CommentView, comments};
use crate::error::Result;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    body: String,
    #[serde(default)]
    parent_id: Option<i64>,
}

pub async fn create(
    State(app): State<App>,
    auth: Authenticated,
    Path(post_id): Path<i64>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<CommentView>)> {
    let view = comments::create(&app, &auth.user, post_id, body.parent_id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn thread(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Path(post_id): Path<i64>,
) -> Result<Json<Vec<CommentView>>> {
    Ok(Json(
        comments::thread(&app, viewer.as_ref(), post_id).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    body: String,
}

pub async fn edit(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<EditBody>,
) -> Result<Json<CommentView>> {
    Ok(Json(
        comments::edit(&app, &auth.user, id, &body.body).await?,
    ))
}

pub async fn delete(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    comments::delete(&app, &auth.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// 1 up, -1 down, 0 withdraw.
    value: i32,
}

pub async fn vote_post(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VoteBody>,
) -> Result<Json<Tally>> {
    Ok(Json(
        votes::vote(&app, &auth.user, Voted::Post(id), body.value).await?,
    ))
}

pub async fn vote_comment(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VoteBody>,
) -> Result<Json<Tally>> {
    Ok(Json(
        votes::vote(&app, &auth.user, Voted::Comment(id), body.value).await?,
    ))
}
