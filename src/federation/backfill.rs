//! Bringing in a remote community's latest posts when a local member first follows it, so
//! the community does not look empty until someone posts again.

use serde_json::Value;
use url::Url;

use super::activities::content::{self, Incoming, Via};
use super::protocol::envelope::{authority, id_of};
use super::remote::{self, signed_fetch};
use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::error::Result;

/// How many of the newest posts are imported.
pub const LIMIT: usize = 20;

/// Imports the newest posts of `community` from its outbox; returns how many were read.
pub async fn community(app: &App, community: &CachedActor) -> Result<usize> {
    let Some(outbox) = community
        .outbox_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
    else {
        return Ok(0);
    };
    if authority(&outbox) != community.domain {
        return Ok(0);
    }
    let collection = signed_fetch::get(app, &outbox).await?.json;
    let mut items = collection
        .get("orderedItems")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if items.is_empty()
        && let Some(first) = collection.get("first")
    {
        let page = match first {
            Value::String(url) => match Url::parse(url) {
                Ok(url) if authority(&url) == community.domain => {
                    signed_fetch::get(app, &url).await?.json
                }
                _ => Value::Null,
            },
            other => other.clone(),
        };
        items = page
            .get("orderedItems")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
    }
    let mut imported = 0;
    // Oldest first, so that local order matches the community's.
    items.truncate(LIMIT);
    for item in items.into_iter().rev() {
        let Some(page) = innermost_post(&item) else {
            continue;
        };
        match import(app, community, page).await {
            Ok(()) => imported += 1,
            Err(e) => tracing::debug!(error = %e, "a backfilled post was skipped"),
        }
    }
    Ok(imported)
}

/// The `Page` (or `Article`) inside `Announce(Create(Page))`, `Create(Page)` or itself.
fn innermost_post(item: &Value) -> Option<Value> {
    let mut current = item;
    for _ in 0..3 {
        match current.get("type").and_then(Value::as_str) {
            Some("Page" | "Article") => return Some(current.clone()),
            Some("Announce" | "Create") => current = current.get("object")?,
            _ => return None,
        }
    }
    None
}

async fn import(app: &App, community: &CachedActor, page: Value) -> Result<()> {
    let id = id_of(Some(&page))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| {
            crate::error::Error::new(crate::error::ErrorCode::ActivityInvalid, "no id")
        })?;
    // Only the community's own host is believed as is; other posts are read from their origin.
    let page = if authority(&id) == community.domain {
        page
    } else {
        let fetched = signed_fetch::get(app, &id).await?;
        if authority(&fetched.url) != authority(&id) {
            return Ok(());
        }
        fetched.json
    };
    let author = id_of(page.get("attributedTo"))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| {
            crate::error::Error::new(crate::error::ErrorCode::ActivityInvalid, "no author")
        })?;
    if super::local::is_local(app, &author) {
        return Ok(());
    }
    let actor = remote::actor(app, &author).await?;
    let via = Via::Announced(Box::new(community.clone()));
    let incoming = Incoming::object(format!("{id}#backfill"), &page, actor, via);
    content::receive_create_or_update(app, incoming, page).await
}
