//! The one table of what can happen in a community, whether the activity was sent straight
//! to an inbox here or announced by the community it happened in (FEP-1b12).
//!
//! Both doors come here with the activity and where it came from ([`Via`]), so a kind is
//! applied the same way whichever door it took. What only one door can bring stays at that
//! door: follows, joins, reports and actors' own updates arrive directly (`inbox/dispatch.rs`);
//! a community's forwarding of a bare object, and the check that it does not speak for other
//! servers, belong to `announce.rs`.

use serde_json::Value;

use super::announce::{pin, verified_object};
use super::content::{self, Incoming, Via};
use super::{moderation, votes};
use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::activities::{
    self as act, Activity, ActivityKind as Kind, ObjectRef,
};
use crate::federation::protocol::envelope::Envelope;

/// The object types that are posts or comments.
pub const CONTENT: &[&str] = &["Page", "Article", "Note", "Question", "Event"];

/// Applies `activity` (by `incoming.actor`), or records it as seen when copse does not act
/// on it. Each kind is read into its struct of the wire model before it is acted on.
pub async fn apply(app: &App, incoming: Incoming, activity: &Envelope) -> Result<()> {
    let json = &activity.json;
    match incoming.kind {
        Kind::Create | Kind::Update => {
            let object = match incoming.kind {
                Kind::Create => parse::<act::Create>(json)?.object,
                _ => parse::<act::Update>(json)?.object,
            };
            let object_id = object.id().map(str::to_string);
            match object {
                ObjectRef::Embedded(object) if is_content(&object) => {
                    // A community's word is not taken for other servers' content.
                    let object = match &incoming.via {
                        Via::Announced(_) => verified_object(app, &object, &incoming.actor).await?,
                        Via::Direct => object,
                    };
                    content::receive_create_or_update(app, incoming, object).await
                }
                ObjectRef::Embedded(_) if incoming.kind == Kind::Update => {
                    community_updated(app, incoming, object_id).await
                }
                _ => acknowledged(app, incoming).await,
            }
        }
        Kind::Delete => {
            let delete = parse::<act::Delete>(json)?;
            content::receive_delete(app, incoming, delete).await
        }
        Kind::Like | Kind::Dislike => {
            let value = if incoming.kind == Kind::Like { 1 } else { -1 };
            match incoming.object.clone() {
                Some(id) => votes::receive(app, incoming, id, value).await,
                None => acknowledged(app, incoming).await,
            }
        }
        Kind::Add | Kind::Remove => {
            let target = match incoming.kind {
                Kind::Add => parse::<act::Add>(json)?.target,
                _ => parse::<act::Remove>(json)?.target,
            };
            match incoming.object.clone() {
                Some(id) => pin(app, incoming, &target.id, id).await,
                None => acknowledged(app, incoming).await,
            }
        }
        Kind::Lock => {
            let lock = parse::<act::Lock>(json)?;
            let reason = moderation::reason_in(lock.summary.as_deref());
            match incoming.object.clone() {
                Some(id) => moderation::receive_lock(app, incoming, id, true, reason).await,
                None => acknowledged(app, incoming).await,
            }
        }
        Kind::Block => {
            let block = parse::<act::Block>(json)?;
            moderation::receive_block(app, incoming, block, true).await
        }
        Kind::Undo => undo(app, incoming, json).await,
        _ => acknowledged(app, incoming).await,
    }
}

/// A remote community announced an `Update` of itself (its moderators changed its title,
/// description, rules or tags): it is read again from its server now, rather than when its
/// cached copy next runs out. Its own server vouches for it, whoever of its moderators
/// made the change; an Update of anything else is acknowledged.
async fn community_updated(app: &App, incoming: Incoming, object: Option<String>) -> Result<()> {
    if let Via::Announced(group) = &incoming.via
        && object.as_deref() == Some(group.ap_id.as_str())
        && let Ok(id) = url::Url::parse(&group.ap_id)
    {
        crate::federation::remote::refresh(app, &id).await?;
    }
    acknowledged(app, incoming).await
}

/// `Undo` of a vote, a lock, a ban or a removal: the undone activity is read as its own
/// kind.
async fn undo(app: &App, incoming: Incoming, json: &Value) -> Result<()> {
    let undo = parse::<act::Undo>(json)?;
    let Some(inner) = undo.object.embedded() else {
        return acknowledged(app, incoming).await;
    };
    let inner_kind = undo.object.embedded_type().and_then(Kind::from_type);
    match inner_kind {
        Some(Kind::Like | Kind::Dislike) => {
            let vote = match inner_kind {
                Some(Kind::Like) => parse::<act::Like>(inner)?.object,
                _ => parse::<act::Dislike>(inner)?.object,
            };
            match vote.id().map(str::to_string) {
                Some(id) => votes::receive(app, incoming, id, 0).await,
                None => acknowledged(app, incoming).await,
            }
        }
        Some(Kind::Lock) => {
            let lock = parse::<act::Lock>(inner)?;
            let reason = moderation::reason_in(lock.summary.as_deref());
            match lock.object.id().map(str::to_string) {
                Some(id) => moderation::receive_lock(app, incoming, id, false, reason).await,
                None => acknowledged(app, incoming).await,
            }
        }
        Some(Kind::Block) => {
            let block = parse::<act::Block>(inner)?;
            moderation::receive_block(app, incoming, block, false).await
        }
        Some(Kind::Delete) => {
            let delete = parse::<act::Delete>(inner)?;
            let reason = moderation::reason_in(delete.summary.as_deref());
            match delete.object.id().map(str::to_string) {
                Some(id) => moderation::receive_restore(app, incoming, id, reason).await,
                None => acknowledged(app, incoming).await,
            }
        }
        _ => acknowledged(app, incoming).await,
    }
}

/// Reads `json` as activity `T`; a document that does not fit is refused as invalid.
fn parse<T: Activity>(json: &Value) -> Result<T> {
    act::parse::<T>(json).map_err(|e| {
        Error::new(
            ErrorCode::ActivityInvalid,
            format!("the {} cannot be read: {e}", T::KIND.as_str()),
        )
    })
}

fn is_content(object: &Value) -> bool {
    object
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| CONTENT.contains(&t))
}

async fn acknowledged(app: &App, incoming: Incoming) -> Result<()> {
    tracing::debug!(
        kind = incoming.kind.as_str(),
        "activity acknowledged, not acted on"
    );
    content::record_only(app, &incoming.id).await
}
