//! The collections an actor document links to: followers, following, outbox, moderators
//! and featured. Follower lists are private to their owner: the count is public (Lemmy and
//! Mastodon show it), the members are not, as Mastodon does when a user hides them.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::app::App;
use crate::communities;
use crate::db::follows;
use crate::discussions::views::Here;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::{self, LocalActor};
use crate::federation::outbox;
use crate::federation::protocol::ACTIVITY_JSON;
use crate::federation::protocol::collections::Collection;
use crate::federation::urls::Urls;

fn collection(id: String, total: i64, items: Option<Vec<Value>>) -> Response {
    let body = Collection::ordered(id, u64::try_from(total).unwrap_or(0), items);
    ([(CONTENT_TYPE, ACTIVITY_JSON)], Json(body)).into_response()
}

async fn existing(app: &App, id: &str) -> Result<()> {
    match local::find(app, id).await? {
        Some(_) => Ok(()),
        None => Err(Error::new(ErrorCode::NotFound, format!("no actor {id}"))),
    }
}

async fn followers_of(app: &App, id: String) -> Result<Response> {
    existing(app, &id).await?;
    let target = id.clone();
    let total = app
        .db
        .run(move |c| Ok(follows::count_followers(c, &target)?))
        .await?;
    Ok(collection(format!("{id}/followers"), total, None))
}

pub async fn community_followers(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    followers_of(&app, Urls::new(&app.config).community(&name)).await
}

pub async fn person_followers(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    followers_of(&app, Urls::new(&app.config).person(&name)).await
}

pub async fn person_following(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    let id = Urls::new(&app.config).person(&name);
    existing(&app, &id).await?;
    Ok(collection(format!("{id}/following"), 0, None))
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<i64>,
}

fn here(app: &App) -> Here {
    Here {
        urls: Urls::new(&app.config),
        domain: app.config.domain.clone(),
    }
}

fn json_response(body: Value) -> Response {
    ([(CONTENT_TYPE, ACTIVITY_JSON)], Json(body)).into_response()
}

/// A community's posts, for servers that backfill (see [`crate::federation::outbox`]).
pub async fn community_outbox(
    State(app): State<App>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    let here = here(&app);
    let id = details.community.id;
    let ap_id = here.urls.community(&name);
    let body = app
        .db
        .run(move |c| outbox::community_outbox(c, &here, id, &ap_id, q.page))
        .await?;
    Ok(json_response(body))
}

pub async fn person_outbox(
    State(app): State<App>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let id = Urls::new(&app.config).person(&name);
    let Some(LocalActor::Person(user)) = local::find(&app, &id).await? else {
        return Err(Error::new(ErrorCode::NotFound, format!("no actor {id}")));
    };
    let here = here(&app);
    let body = app
        .db
        .run(move |c| outbox::person_outbox(c, &here, user.id, &id, q.page))
        .await?;
    Ok(json_response(body))
}

/// The pinned posts.
pub async fn community_featured(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    let here = here(&app);
    let id = details.community.id;
    let ap_id = here.urls.community(&name);
    let body = app
        .db
        .run(move |c| outbox::featured(c, &here, id, &ap_id))
        .await?;
    Ok(json_response(body))
}

/// The moderators, as Lemmy publishes them: the collection behind the Group's
/// `attributedTo`.
pub async fn community_moderators(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    let urls = Urls::new(&app.config);
    let items: Vec<Value> = details
        .moderators
        .iter()
        .map(|m| Value::String(urls.person(m)))
        .collect();
    Ok(collection(
        format!("{}/moderators", urls.community(&name)),
        items.len() as i64,
        Some(items),
    ))
}

/// The members collection: its size is public; who the members are is not served (the
/// member list is in the API, for those allowed to see it). Members-only content is
/// addressed to this collection.
pub async fn community_members(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    let urls = Urls::new(&app.config);
    Ok(collection(
        crate::federation::restricted::members_collection(&urls.community(&name)),
        details.members,
        None,
    ))
}
