//! The collections an actor document links to: followers, following, outbox, moderators
//! and featured. Follower lists are private to their owner: the count is public (Lemmy and
//! Mastodon show it), the members are not, as Mastodon does when a user hides them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::App;
use crate::communities;
use crate::db::follows;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local;
use crate::federation::protocol::ACTIVITY_JSON;
use crate::federation::urls::Urls;

fn collection(id: String, total: i64, items: Option<Vec<Value>>) -> Response {
    let mut body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
    });
    if let Some(items) = items {
        body["orderedItems"] = Value::Array(items);
    }
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

/// Outboxes are empty until discussions federate; they exist because Lemmy reads a
/// community's outbox when it first sees it.
pub async fn community_outbox(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    let id = Urls::new(&app.config).community(&name);
    existing(&app, &id).await?;
    Ok(collection(format!("{id}/outbox"), 0, Some(Vec::new())))
}

pub async fn person_outbox(State(app): State<App>, Path(name): Path<String>) -> Result<Response> {
    let id = Urls::new(&app.config).person(&name);
    existing(&app, &id).await?;
    Ok(collection(format!("{id}/outbox"), 0, Some(Vec::new())))
}

pub async fn community_featured(
    State(app): State<App>,
    Path(name): Path<String>,
) -> Result<Response> {
    let id = Urls::new(&app.config).community(&name);
    existing(&app, &id).await?;
    Ok(collection(format!("{id}/featured"), 0, Some(Vec::new())))
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
