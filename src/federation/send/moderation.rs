//! Moderators' actions, as Lemmy sends them: a removal is a `Delete` by the moderator with
//! the reason as `summary` (restored by its `Undo`), a thread is closed with `Lock`, a ban
//! is a `Block` whose `target` is the community or the instance; each published through
//! the community, and a ban also sent to the banned person's server.

use crate::communities::{Reach, Venue};
use crate::db::{DbConnection, follows, remote_actors};
use crate::error::Result;
use crate::events::{BanEnded, BanMade};
use crate::federation::activities::moderation_wire::{self as wire, BanTerms};
use crate::federation::delivery;
use crate::federation::peers;
use crate::federation::protocol::outgoing::to_json;
use crate::federation::publish;
use crate::federation::urls::Urls;
use crate::moderation::bans::INSTANCE_SCOPE;

/// A removal (`Delete` with a reason) or, when `removed` is false, its `Undo`.
pub(super) fn removal_changed(
    c: &mut DbConnection,
    urls: &Urls,
    moderator: &str,
    object: &str,
    (venue, reach): (&Venue, Reach),
    reason: Option<&str>,
    removed: bool,
) -> Result<()> {
    let delete = wire::removal(urls, moderator, object, reason, venue);
    let activity = if removed {
        to_json(&delete)?
    } else {
        to_json(&wire::undo(urls, moderator, &delete)?)?
    };
    publish::publish(c, urls, venue, reach, moderator, &activity, None)
}

/// `Lock` or, when `locked` is false, its `Undo`.
pub(super) fn lock_changed(
    c: &mut DbConnection,
    urls: &Urls,
    moderator: &str,
    post: &str,
    (venue, reach): (&Venue, Reach),
    reason: Option<&str>,
    locked: bool,
) -> Result<()> {
    let lock = wire::lock(urls, moderator, post, reason, venue);
    let activity = if locked {
        to_json(&lock)?
    } else {
        to_json(&wire::undo(urls, moderator, &lock)?)?
    };
    publish::publish(c, urls, venue, reach, moderator, &activity, None)
}

/// The `Block`: announced by the community (or, from the instance, sent to every server
/// that follows a community here), and sent to the banned person's server.
pub(super) fn banned(c: &mut DbConnection, urls: &Urls, ban: &BanMade) -> Result<()> {
    let target = match &ban.venue {
        Some(venue) => venue.ap_id().to_string(),
        None => urls.instance_actor(),
    };
    let mut block = wire::block(
        urls,
        &ban.moderator,
        &BanTerms {
            person: &ban.person,
            target: &target,
            reason: ban.reason.as_deref(),
            expires_at: ban.expires_at,
            remove_data: ban.remove_data,
        },
        ban.venue.as_ref(),
    );
    block.id = ban.activity.clone();
    let block = to_json(&block)?;
    match &ban.venue {
        Some(venue) => {
            // The follower servers hear it before the person's follow ends, so theirs does too.
            publish::publish(c, urls, venue, ban.reach, &ban.moderator, &block, None)?;
            if let Some(inbox) = &ban.person_inbox
                && !announced_to_server_of(c, venue, inbox)?
            {
                delivery::enqueue(c, &block, &ban.moderator, std::slice::from_ref(inbox))?;
            }
        }
        None => {
            let mut inboxes = follows::all_community_follower_inboxes(c)?;
            add_once_per_server(&mut inboxes, ban.person_inbox.as_deref());
            publish::keep(c, &block)?;
            delivery::enqueue(c, &block, &ban.moderator, &inboxes)?;
        }
    }
    Ok(())
}

/// Whether the community's announcement already reaches the server of `inbox`: each server
/// gets one copy of an activity (Lemmy refuses the second as a duplicate).
fn announced_to_server_of(c: &mut DbConnection, venue: &Venue, inbox: &str) -> Result<bool> {
    let Venue::Local { id, .. } = venue else {
        return Ok(false);
    };
    let server = peers::domain_of(inbox);
    Ok(follows::remote_follower_inboxes(c, *id)?
        .iter()
        .any(|i| peers::domain_of(i) == server))
}

/// Adds the person's `inbox` unless a server's inbox among `inboxes` already reaches them.
fn add_once_per_server(inboxes: &mut Vec<String>, inbox: Option<&str>) {
    if let Some(inbox) = inbox {
        let server = peers::domain_of(inbox);
        if !inboxes.iter().any(|i| peers::domain_of(i) == server) {
            inboxes.push(inbox.to_string());
        }
    }
}

/// The `Undo` of the ban's `Block` (rebuilt with its id, as first sent), announced as the
/// ban was and sent to the person's server. It carries the reason for lifting the ban, not
/// the ban's own: Lemmy logs the reason it finds there as the unban's.
pub(super) fn ban_lifted(c: &mut DbConnection, urls: &Urls, lifted: &BanEnded) -> Result<()> {
    let ban = &lifted.ban;
    let target = if ban.scope == INSTANCE_SCOPE {
        urls.instance_actor()
    } else {
        ban.scope.clone()
    };
    let mut block = wire::block(
        urls,
        &lifted.moderator,
        &BanTerms {
            person: &ban.person_ap_id,
            target: &target,
            reason: lifted.reason.as_deref(),
            expires_at: ban.expires_at,
            remove_data: false,
        },
        lifted.venue.as_ref(),
    );
    if let Some(id) = &ban.activity_id {
        block.id = id.clone();
    }
    let undo = to_json(&wire::undo(urls, &lifted.moderator, &block)?)?;
    let person_inbox = match ban.remote_actor_id {
        Some(id) => remote_actors::find(c, id)?.map(|a| a.inbox),
        None => None,
    };
    let mut inboxes = Vec::new();
    match &lifted.venue {
        Some(venue) => {
            publish::publish(c, urls, venue, lifted.reach, &lifted.moderator, &undo, None)?;
            if let Some(inbox) = person_inbox
                && !announced_to_server_of(c, venue, &inbox)?
            {
                inboxes.push(inbox);
            }
        }
        None => {
            inboxes.extend(follows::all_community_follower_inboxes(c)?);
            add_once_per_server(&mut inboxes, person_inbox.as_deref());
            publish::keep(c, &undo)?;
        }
    }
    if !inboxes.is_empty() {
        delivery::enqueue(c, &undo, &lifted.moderator, &inboxes)?;
    }
    Ok(())
}
