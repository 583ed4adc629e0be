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
use crate::error::Result;
use crate::federation::protocol::envelope::{Envelope, id_of};

/// The object types that are posts or comments.
pub const CONTENT: &[&str] = &["Page", "Article", "Note", "Question", "Event"];

/// Applies `activity` (by `incoming.actor`), or records it as seen when copse does not act
/// on it.
pub async fn apply(app: &App, incoming: Incoming, activity: &Envelope) -> Result<()> {
    let object = activity.object().cloned().unwrap_or(Value::Null);
    let object_kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let object_id = id_of(Some(&object))
        .and_then(Value::as_str)
        .map(str::to_string);
    // What an Undo undoes names its own object.
    let undone_id = id_of(object.get("object"))
        .and_then(Value::as_str)
        .map(str::to_string);
    match (activity.kind.as_str(), object_kind.as_str()) {
        ("Create" | "Update", kind) if CONTENT.contains(&kind) => {
            // A community's word is not taken for other servers' content.
            let object = match &incoming.via {
                Via::Announced(_) => verified_object(app, &object, &incoming.actor).await?,
                Via::Direct => object,
            };
            content::receive_create_or_update(app, incoming, object).await
        }
        ("Delete", _) => match object_id {
            Some(id) => content::receive_delete(app, incoming, id).await,
            None => content::record_only(app, &incoming.id).await,
        },
        ("Like" | "Dislike", _) => match object_id {
            Some(id) => {
                let value = if activity.kind == "Like" { 1 } else { -1 };
                votes::receive(app, incoming, id, value).await
            }
            None => content::record_only(app, &incoming.id).await,
        },
        ("Add" | "Remove", _) => match object_id {
            Some(id) => pin(app, incoming, activity, id).await,
            None => content::record_only(app, &incoming.id).await,
        },
        ("Lock", _) => match object_id {
            Some(id) => moderation::receive_lock(app, incoming, id, true).await,
            None => content::record_only(app, &incoming.id).await,
        },
        ("Block", _) => {
            let block = activity.json.clone();
            moderation::receive_block(app, incoming, block, true).await
        }
        ("Undo", "Like" | "Dislike") => match votes::undone_object(&object) {
            Some(id) => votes::receive(app, incoming, id, 0).await,
            None => content::record_only(app, &incoming.id).await,
        },
        ("Undo", "Lock") => match undone_id {
            Some(id) => moderation::receive_lock(app, incoming, id, false).await,
            None => content::record_only(app, &incoming.id).await,
        },
        ("Undo", "Block") => moderation::receive_block(app, incoming, object, false).await,
        ("Undo", "Delete") => match undone_id {
            Some(id) => {
                let reason = moderation::reason_of(&object);
                moderation::receive_restore(app, incoming, id, reason).await
            }
            None => content::record_only(app, &incoming.id).await,
        },
        _ => {
            tracing::debug!(
                kind = activity.kind,
                object_kind,
                "activity acknowledged, not acted on"
            );
            content::record_only(app, &incoming.id).await
        }
    }
}
