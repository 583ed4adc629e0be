//! The moderation activities copse sends, shaped as Lemmy sends them (FEP-1b12): a removal
//! is a `Delete` by the moderator with the reason as `summary`; a restore is its `Undo`; a
//! thread is closed with `Lock`; a ban is a `Block` whose `target` is the community (or the
//! instance), with `removeData` and `expires`.

use chrono::NaiveDateTime;

use super::ids::new_activity_id;
use crate::error::Result;
use crate::federation::objects::PUBLIC;
use crate::federation::protocol::activities::{
    Activity, Addressing, Block, Delete, Lock, ObjectRef, Undo,
};
use crate::federation::protocol::outgoing::at;
use crate::federation::publish::Venue;
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
) -> Delete {
    Delete {
        summary: Some(reason.unwrap_or_default().to_string()),
        ..Delete::new(new_activity_id(urls, "Delete"), moderator, object)
    }
    .addressed(Addressing::community(venue.ap_id()))
}

/// `Lock` of a post by a moderator.
pub fn lock(urls: &Urls, moderator: &str, post: &str, reason: Option<&str>, venue: &Venue) -> Lock {
    Lock {
        summary: reason.map(str::to_string),
        ..Lock::new(new_activity_id(urls, "Lock"), moderator, post)
    }
    .addressed(Addressing::community(venue.ap_id()))
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
pub fn block(urls: &Urls, moderator: &str, terms: &BanTerms<'_>, venue: Option<&Venue>) -> Block {
    let addressing = match venue {
        Some(venue) => Addressing::community(venue.ap_id()),
        None => Addressing {
            to: vec![PUBLIC.to_string()],
            cc: vec![terms.person.to_string()],
            audience: None,
        },
    };
    Block {
        target: Some(terms.target.into()),
        remove_data: Some(terms.remove_data),
        summary: terms.reason.map(str::to_string),
        expires: terms.expires_at.map(at),
        ..Block::new(new_activity_id(urls, "Block"), moderator, terms.person)
    }
    .addressed(addressing)
}

/// `Undo` of `inner` by `actor`, addressed as `inner` was.
pub fn undo<A: Activity + Clone>(urls: &Urls, actor: &str, inner: &A) -> Result<Undo> {
    let addressing = inner.addressing();
    let object = ObjectRef::embed(&inner.clone().without_context())?;
    Ok(Undo::new(new_activity_id(urls, "Undo"), actor, object).addressed(addressing))
}
