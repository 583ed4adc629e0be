//! `Announce` from a remote community a local user follows: the community forwarding an
//! activity (or a bare `Page`) to its followers (FEP-1b12).
//!
//! The community may forward only what happened in it, and its word is not taken for
//! other servers' content: an announced activity whose actor lives on another host is
//! fetched again from that host, and only what the origin serves is applied.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::content::{self, Incoming, Via};
use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::db::{follows, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local;
use crate::federation::protocol::activities::ActivityKind;
use crate::federation::protocol::envelope::{Envelope, authority, id_of};
use crate::federation::protocol::objects::ObjectFields;
use crate::federation::remote::{self, signed_fetch};

pub async fn receive(app: &App, env: &Envelope, community: &CachedActor) -> Result<()> {
    let group_id = community.id;
    let followed = app
        .db
        .run(move |c| Ok(follows::any_local_follower_of_remote(c, group_id)?))
        .await?;
    if !community.is_group() || !followed {
        tracing::debug!(
            actor = community.ap_id,
            "an Announce from an actor nobody here follows; ignored"
        );
        return content::record_only(app, env.id.as_str()).await;
    }
    let Some(object) = env.object().cloned() else {
        return Err(Error::new(
            ErrorCode::ActivityInvalid,
            "an Announce needs an object",
        ));
    };
    // A bare id: fetch what it names from its origin.
    let object = match object {
        Value::String(id) => fetch_from_origin(app, &id).await?,
        other => other,
    };
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if super::table::CONTENT.contains(&kind.as_str()) {
        // Announce(Page), as Lemmy sends for Mastodon: the Create arrives too; processing
        // this one as a Create of the same object is harmless and covers servers that only
        // send this form.
        // A local member's own post coming back: the community accepted it.
        let object_id = id_of(Some(&object))
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok());
        if let Some(id) = object_id.filter(|id| local::is_local(app, id)) {
            return confirm_object(app, env.id.as_str(), id.to_string()).await;
        }
        let object = verified_object(app, &object, community).await?;
        let author = author_of(&object)?;
        let actor = remote::actor(app, &author).await?;
        let via = Via::Announced(Box::new(community.clone()));
        let incoming = Incoming::object(env.id.to_string(), &object, actor, via);
        return content::receive_create_or_update(app, incoming, object).await;
    }

    let inner = Envelope::from_json(object)?;
    if authority(&inner.id) != authority(&inner.actor) {
        return Err(Error::new(
            ErrorCode::ActivityOriginMismatch,
            "the announced activity is not on its actor's host",
        ));
    }
    // Our own member's activity coming back: it was accepted by the community.
    if local::is_local(app, &inner.actor) {
        return confirm_own(app, env, &inner).await;
    }
    let inner = if authority(&inner.actor) == community.domain {
        inner
    } else {
        Envelope::from_json(fetch_from_origin(app, inner.id.as_str()).await?)?
    };
    let actor = remote::actor(app, &inner.actor).await?;
    // The inner activity's id: the same vote or post announced twice is applied once.
    let via = Via::Announced(Box::new(community.clone()));
    match Incoming::of(&inner, actor, via) {
        Some(incoming) => super::table::apply(app, incoming, &inner).await,
        None => content::record_only(app, inner.id.as_str()).await,
    }
}

/// A moderator of the remote community pinned (`Add` to `featured`) or unpinned a post.
/// Believed when the moderator is on the community's own server, which vouches for them.
pub(super) async fn pin(
    app: &App,
    incoming: Incoming,
    target: &str,
    post_id: String,
) -> Result<()> {
    let Via::Announced(community) = &incoming.via else {
        return content::record_only(app, &incoming.id).await;
    };
    let featured = community.ap_id.clone().trim_end_matches('/').to_string() + "/featured";
    if target != featured || incoming.actor.domain != community.domain {
        return content::record_only(app, &incoming.id).await;
    }
    let pinned = incoming.kind == ActivityKind::Add;
    let community_id = community.id;
    let id = incoming.id.clone();
    app.db
        .transaction(move |c| {
            if !crate::db::received::record(c, &id, crate::time::now())? {
                return Ok(());
            }
            if let Some(post) = posts::find_by_ap_id(c, &post_id)?
                && post.remote_community_id == Some(community_id)
            {
                posts::set_pinned(c, post.id, pinned)?;
            }
            Ok(())
        })
        .await
}

/// An embedded object is believed as sent only when it lives on the host of who sent it;
/// otherwise the origin's copy is fetched.
pub(super) async fn verified_object(
    app: &App,
    object: &Value,
    sender: &CachedActor,
) -> Result<Value> {
    let id = id_of(Some(object))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| Error::new(ErrorCode::ActivityInvalid, "the object has no id"))?;
    if authority(&id) == sender.domain {
        return Ok(object.clone());
    }
    fetch_from_origin(app, id.as_str()).await
}

async fn fetch_from_origin(app: &App, id: &str) -> Result<Value> {
    let url = Url::parse(id)
        .map_err(|_| Error::new(ErrorCode::ActivityInvalid, "an announced id is not a URL"))?;
    let fetched = signed_fetch::get(app, &url).await?;
    let served = id_of(Some(&fetched.json))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if served != id || authority(&fetched.url) != authority(&url) {
        return Err(Error::new(
            ErrorCode::ActivityOriginMismatch,
            "the origin does not serve the announced object at its id",
        ));
    }
    Ok(fetched.json)
}

fn author_of(object: &Value) -> Result<Url> {
    ObjectFields::deserialize(object)
        .ok()
        .and_then(|o| o.author().and_then(|s| Url::parse(s).ok()))
        .ok_or_else(|| Error::new(ErrorCode::ActivityInvalid, "the object has no author"))
}

/// A local member's post or comment, announced back by the remote community: shown now.
async fn confirm_own(app: &App, env: &Envelope, inner: &Envelope) -> Result<()> {
    let Some(object_id) = inner.object_id().map(|u| u.to_string()) else {
        return content::record_only(app, env.id.as_str()).await;
    };
    confirm_object(app, env.id.as_str(), object_id).await
}

/// Marks the local post or comment `object_id` as accepted by its remote community.
async fn confirm_object(app: &App, announce_id: &str, object_id: String) -> Result<()> {
    let id = announce_id.to_string();
    app.db
        .transaction(move |c| {
            if !crate::db::received::record(c, &id, crate::time::now())? {
                return Ok(());
            }
            crate::discussions::write::accepted(c, &object_id)?;
            Ok(())
        })
        .await
}
