//! HTTP routes of the federation layer: discovery documents and actors.

mod actors;
mod collections;
mod inbox;
mod nodeinfo;
mod objects;
pub mod webfinger;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::ACCEPT;
use axum::http::{HeaderMap, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::app::App;
use crate::error::Error;
use crate::federation::authorized_fetch;
use crate::web::{negotiate, pages};

pub fn router(app: App) -> Router<App> {
    // Documents that authorized fetch guards; discovery and the instance actor stay open.
    let guarded = Router::new()
        .route("/u/{name}", negotiate(actors::person, pages::person::show))
        .route(
            "/c/{name}",
            negotiate(actors::community, pages::community::show),
        )
        .route("/inbox", post(inbox::shared))
        .route("/u/{name}/inbox", post(inbox::person))
        .route("/c/{name}/inbox", post(inbox::community))
        .route("/u/{name}/followers", get(collections::person_followers))
        .route("/u/{name}/following", get(collections::person_following))
        .route("/u/{name}/outbox", get(collections::person_outbox))
        .route("/c/{name}/followers", get(collections::community_followers))
        .route("/c/{name}/outbox", get(collections::community_outbox))
        .route("/c/{name}/featured", get(collections::community_featured))
        .route(
            "/c/{name}/moderators",
            get(collections::community_moderators),
        )
        .route("/c/{name}/members", get(collections::community_members))
        .route("/post/{id}", negotiate(objects::post, pages::thread::post))
        .route("/post/{id}/context", get(objects::context))
        .route(
            "/comment/{id}",
            negotiate(objects::comment, pages::thread::comment),
        )
        .route("/activities/{kind}/{token}", get(objects::activity))
        .route_layer(middleware::from_fn_with_state(app, require_signature));
    Router::new()
        .route("/.well-known/webfinger", get(webfinger::webfinger))
        .route("/.well-known/nodeinfo", get(nodeinfo::index))
        .route("/.well-known/host-meta", get(nodeinfo::host_meta))
        .route("/nodeinfo/2.1", get(nodeinfo::nodeinfo))
        .route("/actor", negotiate(actors::instance, pages::home::show))
        .route("/actor/reports", get(actors::reports))
        .route("/", negotiate(actors::root, pages::home::show))
        .merge(guarded)
}

/// Under `federation.authorized_fetch`, a GET for ActivityPub JSON needs another server's
/// signature. HTML for browsers and POSTs to inboxes (which check their own) pass. Any GET
/// signed by a blocked domain's key is refused, authorized fetch or not.
async fn require_signature(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Result<Response, Error> {
    if request.method() == Method::GET {
        authorized_fetch::refuse_signers_blocked(&app, request.headers()).await?;
    }
    let guarded = app.config.authorized_fetch
        && request.method() == Method::GET
        && wants_activity_json(request.headers());
    if guarded {
        let path_and_query = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        authorized_fetch::verify_get(&app, request.method(), &path_and_query, request.headers())
            .await?;
    }
    Ok(next.run(request).await)
}

/// True when the client asks for ActivityPub JSON (`application/activity+json`, or
/// `application/ld+json` with or without the ActivityStreams profile); browsers get HTML.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| part.trim().to_ascii_lowercase())
        .any(|part| {
            part.starts_with("application/activity+json") || part.starts_with("application/ld+json")
        })
}
