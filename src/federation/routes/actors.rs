//! `GET /u/{name}`, `GET /c/{name}`, `GET /actor`: actor documents for servers (browsers
//! get the pages in `web`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};

use serde_json::Value;

use crate::accounts::AccountStatus;
use crate::app::App;
use crate::communities;
use crate::db::users;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::actors;
use crate::federation::protocol::actors::Actor;
use crate::federation::protocol::objects::Tombstone;
use crate::federation::protocol::outgoing::to_json;
use crate::federation::protocol::{ACTIVITY_JSON, AS_CONTEXT};
use crate::federation::urls::Urls;

fn activity_json(actor: Actor) -> Response {
    (
        [(CONTENT_TYPE, ACTIVITY_JSON), (VARY, "Accept")],
        Json(actor),
    )
        .into_response()
}

pub async fn person(State(app): State<App>, Path(name): Path<String>) -> Result<Response> {
    let lookup = name.clone();
    let found = app
        .db
        .run(move |c| Ok(users::find_by_username(c, &lookup)?))
        .await?;
    if let Some(user) = &found
        && user.status() == AccountStatus::Deleted
    {
        if saying_goodbye(&app, user).await? {
            let key = actors::person_public_key(&app.db, user).await?;
            let urls = Urls::new(&app.config);
            return Ok(activity_json(actors::person(&urls, user, key)));
        }
        return Ok(gone(&app, user));
    }
    let user = found
        .filter(|u| u.status() == AccountStatus::Active)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no person '{name}'")))?;
    let key = actors::person_public_key(&app.db, &user).await?;
    let urls = Urls::new(&app.config);
    let mut actor = actors::person(&urls, &user, key);
    actor.attachment = actors::credential_fields(&app, user.id).await?;
    Ok(activity_json(actor))
}

/// Whether the deleted account's last activities (its `Delete`) are still being delivered.
/// Until they are, its actor is served bare (name and key, nothing of the person): a server
/// that fetches the actor again before believing the `Delete` (Lemmy does, when its copy is
/// old) would otherwise find it gone, mark it deleted, refuse the `Delete` itself with 400,
/// and keep the person's posts.
async fn saying_goodbye(app: &App, user: &crate::accounts::User) -> Result<bool> {
    let since = crate::time::now() - user.updated_at;
    if since > crate::federation::delivery::backoff::GIVE_UP_AFTER {
        return Ok(false);
    }
    let id = Urls::new(&app.config).person(&user.username);
    app.db
        .run(move |c| Ok(crate::db::deliveries::any_signed_by(c, &id)?))
        .await
}

/// A deleted account: 410 with a Tombstone, so servers that still cache the person learn
/// it is gone for good rather than missing for now.
fn gone(app: &App, user: &crate::accounts::User) -> Response {
    let id = Urls::new(&app.config).person(&user.username);
    let tombstone = Tombstone::new(&id, "Person");
    // `deleted` is added as text: an account's deletion is served to the second, where
    // the typed timestamp is written with microseconds.
    let mut tombstone = match to_json(&tombstone) {
        Ok(tombstone) => tombstone,
        Err(e) => return e.into_response(),
    };
    if let Some(map) = tombstone.as_object_mut() {
        map.insert("@context".into(), Value::from(AS_CONTEXT));
        map.insert(
            "deleted".into(),
            Value::from(crate::time::rfc3339(user.updated_at)),
        );
    }
    (
        StatusCode::GONE,
        [(CONTENT_TYPE, ACTIVITY_JSON), (VARY, "Accept")],
        Json(tombstone),
    )
        .into_response()
}

pub async fn community(State(app): State<App>, Path(name): Path<String>) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    Ok(activity_json(actors::group(
        &Urls::new(&app.config),
        &details,
    )))
}

pub async fn instance(State(app): State<App>) -> Result<Response> {
    let key = actors::instance_key(&app.db).await?;
    Ok(activity_json(actors::instance(
        &Urls::new(&app.config),
        &app.config.domain,
        key.public_pem,
    )))
}

/// `GET /actor/reports`: the instance's reporting actor, which signs forwarded reports.
pub async fn reports(State(app): State<App>) -> Result<Response> {
    let domain = &app.config.domain;
    let key = actors::instance_key(&app.db).await?;
    Ok(activity_json(actors::reports(
        &Urls::new(&app.config),
        domain,
        key.public_pem,
    )))
}

/// `GET /`: the instance actor for ActivityPub clients (Lemmy looks for the server's actor
/// at its root); browsers get the home page.
pub async fn root(state: State<App>) -> Result<Response> {
    instance(state).await
}
