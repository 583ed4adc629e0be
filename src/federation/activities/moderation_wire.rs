//! The moderation activities copse sends, shaped as Lemmy sends them (FEP-1b12): a removal
//! is a `Delete` by the moderator with the reason as `summary`; a restore is its `Undo`; a
//! thread is closed with `Lock`; a ban is a `Block` whose `target` is the community (or the
//! instance), with `removeData` and `expires`.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::ids::new_activity_id;
use crate::federation::objects::PUBLIC;
use crate::federation::publish::{self, AS_CONTEXT, Venue};
use crate::federation::urls::Urls;

/// `Delete` of a post or comment by a moderator, with the reason. `summary` is always
/// present, empty without a reason: Lemmy tells a moderator's removal from the author's own
/// deletion by it, and reads a `Delete` without one (and its `Undo`) as the author's.
pub fn removal(
    urls: &Urls,
    moderator: &str,
    object: &str,
    reason: Option<&str>,
    venue: &Venue,
) -> Value {
    let mut delete = publish::activity(urls, "Delete", moderator, json!(object), venue);
    delete["summary"] = json!(reason.unwrap_or_default());
    delete
}

/// `Lock` of a post by a moderator.
pub fn lock(
    urls: &Urls,
    moderator: &str,
    post: &str,
    reason: Option<&str>,
    venue: &Venue,
) -> Value {
    let mut lock = publish::activity(urls, "Lock", moderator, json!(post), venue);
    if let Some(reason) = reason {
        lock["summary"] = json!(reason);
    }
    lock
}

/// What a ban says.
#[derive(Debug, Clone)]
pub struct BanTerms<'a> {
    pub person: &'a str,
    /// The community's actor id, or the instance actor's for an instance-wide ban.
    pub target: &'a str,
    pub reason: Option<&'a str>,
    pub expires_at: Option<NaiveDateTime>,
    pub remove_data: bool,
}

/// `Block` of a person in a community (`venue`) or, without a venue, on the instance.
pub fn block(urls: &Urls, moderator: &str, terms: &BanTerms<'_>, venue: Option<&Venue>) -> Value {
    let mut block = match venue {
        Some(venue) => publish::activity(urls, "Block", moderator, json!(terms.person), venue),
        None => json!({
            "@context": AS_CONTEXT,
            "id": new_activity_id(urls, "Block"),
            "type": "Block",
            "actor": moderator,
            "to": [PUBLIC],
            "cc": [terms.person],
            "object": terms.person,
        }),
    };
    block["target"] = json!(terms.target);
    block["removeData"] = json!(terms.remove_data);
    if let Some(reason) = terms.reason {
        block["summary"] = json!(reason);
    }
    if let Some(expires) = terms.expires_at {
        block["expires"] = json!(crate::time::rfc3339_micros(expires));
    }
    block
}

/// `Undo` of `inner` by `actor`, addressed as `inner` was.
pub fn undo(urls: &Urls, actor: &str, inner: &Value) -> Value {
    let mut object = inner.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("@context");
    }
    let mut undo = json!({
        "@context": AS_CONTEXT,
        "id": new_activity_id(urls, "Undo"),
        "type": "Undo",
        "actor": actor,
        "object": object,
    });
    for field in ["to", "cc", "audience"] {
        if let Some(v) = inner.get(field) {
            undo[field] = v.clone();
        }
    }
    undo
}
