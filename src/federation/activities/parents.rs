//! Fetching what a reply answers when the reply arrives first.

use std::future::Future;
use std::pin::Pin;

use serde::Deserialize;
use url::Url;

use super::content::{self, Incoming, Via};
use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::federation::protocol::envelope::authority;
use crate::federation::protocol::objects::ObjectFields;
use crate::federation::remote::{self, signed_fetch};

/// How far up a thread copse fetches missing ancestors.
const MAX_DEPTH: usize = 8;

/// Fetches the post or comment `id` from its origin and stores it as part of `community`,
/// with its own missing ancestors first. True when it is now held here.
pub async fn fetch(app: &App, id: &str, community: &CachedActor) -> bool {
    fetch_at(app, id.to_string(), community.clone(), 0).await
}

fn fetch_at(
    app: &App,
    id: String,
    community: CachedActor,
    depth: usize,
) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
    Box::pin(async move {
        if depth >= MAX_DEPTH {
            return false;
        }
        let Ok(url) = Url::parse(&id) else {
            return false;
        };
        if crate::federation::local::is_local(app, &url) {
            return false;
        }
        let Ok(fetched) = signed_fetch::get(app, &url).await else {
            return false;
        };
        let object = fetched.json;
        let Ok(fields) = ObjectFields::deserialize(&object) else {
            return false;
        };
        if fields.id != id || authority(&fetched.url) != authority(&url) {
            return false;
        }
        let Some(author) = fields.author().and_then(|s| Url::parse(s).ok()) else {
            return false;
        };
        if authority(&author) != authority(&url) {
            return false;
        }
        if let Some(grandparent) = fields.in_reply_to {
            let grandparent = grandparent.to_string();
            // Its own parent first; a failure there leaves this one unplaceable too, which
            // the insert below reports by storing nothing.
            fetch_at(app, grandparent, community.clone(), depth + 1).await;
        }
        let Ok(actor) = remote::actor(app, &author).await else {
            return false;
        };
        let via = Via::Announced(Box::new(community));
        let incoming = Incoming::object(format!("{id}#fetched"), &object, actor, via);
        content::receive_create_or_update(app, incoming, object)
            .await
            .is_ok()
    })
}
