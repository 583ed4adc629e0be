//! `GET /post/{id}`, `/comment/{id}`, `/post/{id}/context` and `/activities/{kind}/{id}`:
//! local content and activities at their ids, so other servers can fetch, verify and
//! backfill them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::app::App;
use crate::db::{comments, posts, sent};
use crate::discussions::views::{self, Here};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::objects::{context_of, note::note, page::page};
use crate::federation::protocol::ACTIVITY_JSON;
use crate::federation::protocol::collections::Collection;
use crate::federation::protocol::outgoing::to_json;
use crate::federation::publish::AS_CONTEXT;
use crate::federation::restricted;
use crate::federation::urls::Urls;

fn activity_json(mut body: Value) -> Response {
    if let Some(map) = body.as_object_mut() {
        map.entry("@context")
            .or_insert_with(|| Value::from(AS_CONTEXT));
    }
    (
        [(CONTENT_TYPE, ACTIVITY_JSON), (VARY, "Accept")],
        Json(body),
    )
        .into_response()
}

fn here(app: &App) -> Here {
    Here {
        urls: Urls::new(&app.config),
        domain: app.config.domain.clone(),
    }
}

fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "no such object")
}

/// The post a fetch is about, checked against the fetcher when it is restricted.
async fn gate(app: &App, id: i64, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<()> {
    let row = app
        .db
        .run(move |c| Ok(posts::find(c, id)?))
        .await?
        .ok_or_else(not_found)?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    restricted::check_fetch(app, method, path, headers, row).await
}

pub async fn post(
    State(app): State<App>,
    Path(id): Path<i64>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    gate(&app, id, &method, &uri, &headers).await?;
    let here = here(&app);
    let object = app
        .db
        .run(move |c| {
            let row = posts::find(c, id)?
                .filter(|p| p.author_user_id.is_some() || p.community_id.is_some())
                .ok_or_else(not_found)?;
            let author = views::author_ap_id(c, &here, row.author_user_id, row.author_remote_id)?
                .unwrap_or_default();
            let (_, community) = views::community_of(c, &here, &row)?;
            to_json(&page(&row, &author, &community))
        })
        .await?;
    // A removed or deleted post is served as its Tombstone, so servers drop it too.
    Ok(activity_json(object))
}

pub async fn comment(
    State(app): State<App>,
    Path(id): Path<i64>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    let post_id = app
        .db
        .run(move |c| Ok(comments::find(c, id)?.map(|r| r.post_id)))
        .await?
        .ok_or_else(not_found)?;
    gate(&app, post_id, &method, &uri, &headers).await?;
    let here = here(&app);
    let object = app
        .db
        .run(move |c| {
            let row = comments::find(c, id)?.ok_or_else(not_found)?;
            let post = posts::find(c, row.post_id)?.ok_or_else(not_found)?;
            let author = views::author_ap_id(c, &here, row.author_user_id, row.author_remote_id)?
                .unwrap_or_default();
            let (_, community) = views::community_of(c, &here, &post)?;
            let context = crate::discussions::comments::context(c, &here.urls, &row)?;
            to_json(&note(
                &row,
                &author,
                &community,
                (&context.in_reply_to, &context.post),
                !post.restricted,
            ))
        })
        .await?;
    Ok(activity_json(object))
}

/// The thread as an `OrderedCollection` (FEP-f228): the post, then its comments.
pub async fn context(
    State(app): State<App>,
    Path(id): Path<i64>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    gate(&app, id, &method, &uri, &headers).await?;
    let body = app
        .db
        .run(move |c| {
            let post = posts::find(c, id)?
                .filter(|p| !p.pending)
                .ok_or_else(not_found)?;
            let mut items = vec![Value::String(post.ap_id.clone())];
            items.extend(
                comments::of_post(c, id)?
                    .into_iter()
                    .map(|r| Value::String(r.ap_id)),
            );
            let total = items.len() as u64;
            to_json(&Collection::ordered(
                context_of(&post.ap_id),
                total,
                Some(items),
            ))
        })
        .await?;
    Ok(activity_json(body))
}

pub async fn activity(
    State(app): State<App>,
    Path((kind, token)): Path<(String, String)>,
) -> Result<Response> {
    let id = format!(
        "{}/activities/{kind}/{token}",
        Urls::new(&app.config).base()
    );
    let body = app
        .db
        .run(move |c| Ok(sent::find(c, &id)?))
        .await?
        .ok_or_else(not_found)?;
    let json: Value = serde_json::from_str(&body).map_err(Error::internal)?;
    Ok(activity_json(json))
}
