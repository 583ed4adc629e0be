//! Authorized fetch (`federation.authorized_fetch`): ActivityPub documents are served only
//! to requests signed by another server's actor, so that a server can be kept from reading
//! a community by refusing its key (Mastodon calls this secure mode).
//!
//! The instance actor is always served unsigned: a peer checking copse's own signed fetch
//! must be able to read the key that signed it, and it would otherwise need a signature
//! from copse to do so, which needs the key, and so on.

use axum::http::{HeaderMap, Method};
use chrono::Utc;

use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::remote;
use crate::federation::signatures::{self, IncomingRequest};

/// Checks the signature of a GET and returns the remote actor that signed it.
pub async fn verify_get(
    app: &App,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
) -> Result<CachedActor> {
    let mut request = IncomingRequest::new(method, path_and_query, headers, &[]);
    if app.config.dev {
        request = request.with_scheme("http");
    }
    let pending = signatures::parse(&request, Utc::now())?;
    let actor = remote::actor_for_key(app, pending.key_id())
        .await
        .map_err(|e| {
            Error::new(
                ErrorCode::SignerUnknown,
                format!(
                    "the key {} could not be fetched: {}",
                    pending.key_id(),
                    e.message()
                ),
            )
        })?;
    pending.verify(&actor.public_key_pem)?;
    Ok(actor)
}
