//! The cache of remote actors.
//!
//! An actor is fetched the first time copse needs it (a signature to check, a handle to
//! resolve, an inbox to deliver to) and refetched once its copy is a day old, or at once
//! when a signature fails with the cached key (the actor may have rotated it). A fetched
//! document is believed only if it came from the host of its own id and its key belongs to
//! it: otherwise one server could publish keys, and so speak, for another.

use chrono::TimeDelta;
use serde_json::Value;
use url::Url;

use super::signed_fetch;
use crate::app::App;
use crate::db::remote_actors::{self, ActorRecord, CachedActor};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::fetch::FetchedJson;
use crate::federation::protocol::envelope::{authority, id_of};
use crate::federation::protocol::remote_actor::RemoteActor;

/// A cached copy older than this is refetched before use.
pub const REFRESH_AFTER: TimeDelta = TimeDelta::hours(24);

/// The actor with this id: from the cache while fresh, else fetched and stored.
pub async fn actor(app: &App, id: &Url) -> Result<CachedActor> {
    let key = id.to_string();
    if let Some(cached) = app
        .db
        .run(move |c| Ok(remote_actors::find_by_ap_id(c, &key)?))
        .await?
        && crate::time::now() - cached.fetched_at < REFRESH_AFTER
    {
        return Ok(cached);
    }
    refresh(app, id).await
}

/// Fetches the actor now, whatever the cache holds, and stores what was fetched.
pub async fn refresh(app: &App, id: &Url) -> Result<CachedActor> {
    let fetched = signed_fetch::get(app, id).await?;
    let record = record_from(&fetched, id)?;
    app.db
        .run(move |c| Ok(remote_actors::upsert(c, &record)?))
        .await
}

/// The actor owning the key `key_id` (e.g. `https://host/users/ana#main-key`). Mastodon and
/// Lemmy publish the key inside the actor document, so the key id without its fragment is
/// usually the actor; a key published as its own document names its `owner`, fetched next.
pub async fn actor_for_key(app: &App, key_id: &str) -> Result<CachedActor> {
    let lookup = key_id.to_string();
    if let Some(cached) = app
        .db
        .run(move |c| Ok(remote_actors::find_by_key_id(c, &lookup)?))
        .await?
        && crate::time::now() - cached.fetched_at < REFRESH_AFTER
    {
        return Ok(cached);
    }
    let mut url = Url::parse(key_id).map_err(|_| unknown_signer(key_id, "is not a URL"))?;
    url.set_fragment(None);
    let fetched = signed_fetch::get(app, &url).await?;
    let actor_id = if fetched.json.get("publicKey").is_some() {
        url
    } else {
        // A key document: `{"id": key_id, "owner": actor, "publicKeyPem": …}`.
        let owner = id_of(fetched.json.get("owner"))
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
            .ok_or_else(|| unknown_signer(key_id, "names no owner"))?;
        if authority(&owner) != authority(&url) {
            return Err(unknown_signer(
                key_id,
                "is owned by an actor on another host",
            ));
        }
        owner
    };
    let actor = actor(app, &actor_id).await?;
    if actor.public_key_id != key_id {
        return Err(unknown_signer(key_id, "is not the key its owner publishes"));
    }
    Ok(actor)
}

/// Checks a fetched actor document and turns it into a cache row.
pub fn record_from(fetched: &FetchedJson, requested: &Url) -> Result<ActorRecord> {
    let doc: RemoteActor = serde_json::from_value(fetched.json.clone()).map_err(|e| {
        Error::new(
            ErrorCode::RemoteActorInvalid,
            format!("{requested} is not a usable actor: {e}"),
        )
    })?;
    let invalid = |why: &str| {
        Error::new(
            ErrorCode::RemoteActorInvalid,
            format!("{requested} is not a usable actor: {why}"),
        )
    };
    let id = Url::parse(doc.id.as_str()).map_err(|_| invalid("its id is not a URL"))?;
    let domain = authority(&id);
    if domain != authority(&fetched.url) || domain != authority(requested) {
        return Err(invalid(
            "its id is on another host than where it was fetched",
        ));
    }
    let key = &doc.public_key;
    if key.owner.as_str() != id.as_str() {
        return Err(invalid("its key belongs to another actor"));
    }
    let username = doc.preferred_username.clone().unwrap_or_else(|| {
        id.path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or_default()
            .to_string()
    });
    Ok(ActorRecord {
        ap_id: id.to_string(),
        kind: doc.kind.as_str().to_string(),
        domain,
        username,
        display_name: doc.name.clone(),
        inbox: http_url(&doc.inbox).ok_or_else(|| invalid("its inbox is not an http(s) URL"))?,
        shared_inbox: doc.endpoints.shared_inbox.as_deref().and_then(http_url),
        followers_url: doc.followers.clone(),
        outbox_url: doc.outbox.clone(),
        public_key_id: key.id.to_string(),
        public_key_pem: key.public_key_pem.clone(),
        manually_approves_followers: doc.manually_approves_followers.unwrap_or(false),
        fetched_at: crate::time::now(),
        summary: doc.summary.as_deref().map(bounded_summary),
    })
}

/// Longest summary kept, in bytes: a community's description with its rules fits many
/// times over; a hostile server's megabyte of HTML does not fill the cache.
const MAX_SUMMARY_BYTES: usize = 20_000;

/// A remote actor's summary as it is stored: sanitized (it is shown as HTML), and cut at
/// [`MAX_SUMMARY_BYTES`] on a character boundary (the sanitizer closes what the cut left
/// open).
fn bounded_summary(html: &str) -> String {
    let mut end = html.len().min(MAX_SUMMARY_BYTES);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    crate::content::sanitize(&html[..end])
}

fn http_url(s: &str) -> Option<String> {
    Url::parse(s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.to_string())
}

fn unknown_signer(key_id: &str, why: &str) -> Error {
    Error::new(ErrorCode::SignerUnknown, format!("the key {key_id} {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_sanitized_and_bounded() {
        let hostile = format!(
            "<p onclick=\"x()\">Rules<script>steal()</script></p>{}",
            "é".repeat(MAX_SUMMARY_BYTES)
        );
        let kept = bounded_summary(&hostile);
        assert!(kept.starts_with("<p>Rules</p>"), "{}", &kept[..40]);
        assert!(!kept.contains("script") && !kept.contains("onclick"));
        assert!(kept.len() <= MAX_SUMMARY_BYTES + 8, "{}", kept.len());
    }
}
