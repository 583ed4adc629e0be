//! HTTP routes of the federation layer: discovery documents and actors.

mod actors;
mod nodeinfo;
mod webfinger;

use axum::Router;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT;
use axum::routing::get;

use crate::app::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger::webfinger))
        .route("/.well-known/nodeinfo", get(nodeinfo::index))
        .route("/.well-known/host-meta", get(nodeinfo::host_meta))
        .route("/nodeinfo/2.1", get(nodeinfo::nodeinfo))
        .route("/actor", get(actors::instance))
        .route("/u/{name}", get(actors::person))
        .route("/c/{name}", get(actors::community))
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
