//! `/api/v1/posts`: writing, reading and listing posts.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::{Authenticated, Viewer};
use super::error::ApiJson;
use crate::app::App;
use crate::db::posts::Sort;
use crate::discussions::{PostInput, PostView, posts};
use crate::error::{Error, ErrorCode, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    /// `nursing` (a community here), `!name@host` or a community URL. Ignored on edit.
    #[serde(default)]
    community: Option<String>,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    content_warning: Option<String>,
    /// The slug of a space of a local community; its default space when absent.
    #[serde(default)]
    space: Option<String>,
}

impl PostBody {
    fn input(self) -> (Option<String>, PostInput) {
        (
            self.community,
            PostInput {
                title: self.title,
                body: self.body,
                url: self.url,
                language: self.language,
                sensitive: self.sensitive,
                content_warning: self.content_warning,
                space: self.space,
            },
        )
    }
}

pub async fn create(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<(StatusCode, Json<PostView>)> {
    let (community, input) = body.input();
    let community = community
        .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "a post needs a community"))?;
    let venue = posts::venue(&app, &community).await?;
    let view = posts::create(&app, &auth.user, venue, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn show(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Path(id): Path<i64>,
) -> Result<Json<PostView>> {
    Ok(Json(posts::get(&app, viewer.as_ref(), id).await?))
}

pub async fn edit(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<Json<PostView>> {
    let (_, input) = body.input();
    Ok(Json(posts::edit(&app, &auth.user, id, input).await?))
}

pub async fn delete(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    posts::delete(&app, &auth.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    community: String,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

/// A community's posts: `sort` is `new` (default), `top` or `hot`; `after` is the id of the
/// last post of the previous page.
pub async fn list(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<PostView>>> {
    let sort = match q.sort.as_deref().unwrap_or("new") {
        "new" => Sort::New,
        "top" => Sort::Top,
        "hot" => Sort::Hot,
        other => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                format!("sort is new, top or hot, not {other:?}"),
            ));
        }
    };
    let venue = if q.community.contains('@') || q.community.contains("://") {
        // Listing a remote community shows what reached this server; it never fetches.
        posts::venue_known(&app, &q.community).await?
    } else {
        posts::venue(&app, &q.community).await?
    };
    Ok(Json(
        posts::list(
            &app,
            viewer.as_ref(),
            &venue,
            sort,
            q.after,
            q.limit.unwrap_or(20),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinBody {
    pinned: bool,
}

/// Moderators pin or unpin a post of their community.
pub async fn pin(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PinBody>,
) -> Result<Json<PostView>> {
    Ok(Json(
        crate::discussions::pins::set_pinned(&app, &auth.user, id, body.pinned).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    #[serde(default)]
    limit: Option<i64>,
}

/// A local person's latest posts.
pub async fn by_person(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Path(name): Path<String>,
    Query(q): Query<PersonQuery>,
) -> Result<Json<Vec<PostView>>> {
    Ok(Json(
        posts::by_person(&app, viewer.as_ref(), &name, q.limit.unwrap_or(20)).await?,
    ))
}
