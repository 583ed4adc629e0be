//! Bringing in a remote community's latest posts when a local member first follows it, so
//! the community does not look empty until someone posts again.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::activities::content::{self, Incoming, Via};
use super::protocol::activities::ObjectRef;
use super::protocol::collections::Collection;
use super::protocol::envelope::authority;
use super::protocol::objects::ObjectFields;
use super::remote::{self, signed_fetch};
use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::error::{Error, ErrorCode, Result};

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
    let collection = read_collection(signed_fetch::get(app, &outbox).await?.json)?;
    let mut items = collection.all_items().to_vec();
    if items.is_empty()
        && let Some(first) = collection.first
    {
        let page = match first {
            ObjectRef::Id(url) => match Url::parse(&url) {
                Ok(url) if authority(&url) == community.domain => {
                    Some(signed_fetch::get(app, &url).await?.json)
                }
                _ => None,
            },
            ObjectRef::Embedded(page) => Some(page),
            ObjectRef::Many(_) => None,
        };
        if let Some(page) = page {
            items = read_collection(page)?.all_items().to_vec();
        }
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

fn read_collection(json: Value) -> Result<Collection> {
    serde_json::from_value(json).map_err(|e| {
        Error::new(
            ErrorCode::ActivityInvalid,
            format!("the outbox cannot be read: {e}"),
        )
    })
}

/// The `Page` (or `Article`) inside `Announce(Create(Page))`, `Create(Page)` or itself.
fn innermost_post(item: &Value) -> Option<Value> {
    /// Just enough of an item to unwrap it.
    #[derive(Deserialize)]
    struct Wrapper {
        #[serde(rename = "type")]
        kind: String,
        object: Option<ObjectRef>,
    }
    let mut current = item.clone();
    for _ in 0..3 {
        let wrapper = Wrapper::deserialize(&current).ok()?;
        match wrapper.kind.as_str() {
            "Page" | "Article" => return Some(current),
            "Announce" | "Create" => match wrapper.object? {
                ObjectRef::Embedded(inner) => current = inner,
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

async fn import(app: &App, community: &CachedActor, page: Value) -> Result<()> {
    let read = |page: &Value| {
        ObjectFields::deserialize(page).map_err(|e| {
            Error::new(
                ErrorCode::ActivityInvalid,
                format!("the post cannot be read: {e}"),
            )
        })
    };
    let id = Url::parse(&read(&page)?.id)
        .map_err(|_| Error::new(ErrorCode::ActivityInvalid, "the post's id is not a URL"))?;
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
    let author = read(&page)?
        .author()
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| Error::new(ErrorCode::ActivityInvalid, "no author"))?;
    if super::local::is_local(app, &author) {
        return Ok(());
    }
    let actor = remote::actor(app, &author).await?;
    let via = Via::Announced(Box::new(community.clone()));
    let incoming = Incoming::object(format!("{id}#backfill"), &page, actor, via);
    content::receive_create_or_update(app, incoming, page).await
}
