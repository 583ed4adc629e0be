//! Moderation received from other servers: removals (`Delete` by someone other than the
//! author) and their `Undo`, `Lock` and its `Undo`, and bans (`Block` with a community or
//! an instance as `target`) and their `Undo`, as Lemmy sends them.
//!
//! Who is believed:
//! - in a remote community we follow, the community itself: an action it announces about
//!   its own content is its moderators' decision (the community checked them; an inner
//!   activity from another host was fetched again from that host by `announce`);
//! - in a community of this server, a remote person who is one of its moderators, sending
//!   to its inbox; anyone else is refused, and the attempt is recorded for admins;
//! - for a ban from a whole instance, that instance's own people (the `target` is on the
//!   actor's host), and its effect here is limited to its own people and communities.

use chrono::NaiveDateTime;

use super::content::{Incoming, Via, apply, check_venue, record_only};
use crate::app::App;
use crate::content;
use crate::db::bans::{self, NewBan};
use crate::db::memberships::{self, Member, Of};
use crate::db::posts::CommunityRef;
use crate::db::{DbConnection, comments, follows, posts, remote_actors, users};
use crate::discussions::posts::venue_of_row;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local;
use crate::federation::protocol::activities::Block;
use crate::federation::protocol::envelope::authority;
use crate::federation::publish::Venue;
use crate::federation::urls::Urls;
use crate::membership::access;
use crate::moderation::log::{self, Action, LogEntry, Moderator, TargetKind};

/// What a removal or lock is about.
#[derive(Debug, Clone)]
enum Target {
    Post(crate::db::posts::PostRow),
    Comment(crate::db::comments::CommentRow),
}

/// A moderator's reason as given in an activity's `summary`: plain text, bounded.
pub fn reason_in(summary: Option<&str>) -> Option<String> {
    summary
        .map(|s| {
            content::plain_text(s)
                .trim()
                .chars()
                .take(log::MAX_REASON_CHARS)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
}

fn entry(incoming: &Incoming, action: Action, kind: TargetKind, venue: &Venue) -> LogEntry {
    let mut e = LogEntry::new(
        Moderator {
            user_id: None,
            ap_id: incoming.actor.ap_id.clone(),
        },
        action,
        kind,
    );
    if let Venue::Local { id, .. } = venue {
        e.community_id = Some(*id);
    }
    e.community_ap_id = Some(venue.ap_id().to_string());
    e
}

/// Checks that the actor may take a moderator's action in `venue`; a refusal in a local
/// community is recorded for admins before the error is returned.
async fn vouch(app: &App, incoming: &Incoming, venue: &Venue, refused: LogEntry) -> Result<()> {
    check_venue(incoming, venue)?;
    let Venue::Local { id, .. } = venue else {
        // Announced by the remote community itself: check_venue made sure of that.
        return Ok(());
    };
    let community_id = *id;
    let actor_id = incoming.actor.id;
    app.db
        .run(move |c| {
            let standing =
                access::standing(c, community_id, Some(Member::Remote(actor_id)), false)?;
            if standing.moderates() && standing.ban.is_none() {
                return Ok(());
            }
            log::record_refused(c, refused)?;
            Err(crate::moderation::authority::not_a_moderator())
        })
        .await
}

async fn find_target(app: &App, object_id: &str) -> Result<Option<(Target, Venue)>> {
    let key = object_id.to_string();
    let urls = Urls::new(&app.config);
    app.db
        .run(move |c| {
            if let Some(post) = posts::find_by_ap_id(c, &key)? {
                let venue = venue_of_row(c, &urls, &post)?;
                return Ok(Some((Target::Post(post), venue)));
            }
            if let Some(comment) = comments::find_by_ap_id(c, &key)?
                && let Some(post) = posts::find(c, comment.post_id)?
            {
                let venue = venue_of_row(c, &urls, &post)?;
                return Ok(Some((Target::Comment(comment), venue)));
            }
            Ok(None)
        })
        .await
}

/// A moderator removed (`removed`) or restored the post or comment `object_id`.
pub async fn receive_removal(
    app: &App,
    incoming: Incoming,
    object_id: String,
    removed: bool,
    reason: Option<String>,
) -> Result<()> {
    let Some((target, venue)) = find_target(app, &object_id).await? else {
        return record_only(app, &incoming.id).await;
    };
    let (action, kind, label) = match (&target, removed) {
        (Target::Post(p), true) => (Action::RemovePost, TargetKind::Post, p.title.clone()),
        (Target::Post(p), false) => (Action::RestorePost, TargetKind::Post, p.title.clone()),
        (Target::Comment(x), r) => (
            if r {
                Action::RemoveComment
            } else {
                Action::RestoreComment
            },
            TargetKind::Comment,
            crate::moderation::content::comment_label(x),
        ),
    };
    let mut e = entry(&incoming, action, kind, &venue);
    e.target_ap_id = Some(object_id.clone());
    e.target_label = Some(label);
    e.reason = reason;
    vouch(app, &incoming, &venue, e.clone()).await?;
    apply(app, incoming, venue, None, move |c| {
        match target {
            Target::Post(p) => posts::set_removed(c, p.id, removed)?,
            Target::Comment(x) => comments::set_removed(c, x.id, removed)?,
        };
        log::record(c, e)
    })
    .await
}

/// `Undo(Delete)` of the post or comment `object_id`: a moderator restoring what was
/// removed. Told apart from an author undoing their own deletion by what it undoes: only
/// removed content can be restored (a deleted post keeps no content here, so an author's
/// undo is acknowledged and ignored).
pub async fn receive_restore(
    app: &App,
    incoming: Incoming,
    object_id: String,
    reason: Option<String>,
) -> Result<()> {
    let key = object_id.clone();
    let removed = app
        .db
        .run(move |c| {
            if let Some(p) = posts::find_by_ap_id(c, &key)? {
                return Ok(p.removed);
            }
            Ok(comments::find_by_ap_id(c, &key)?.is_some_and(|x| x.removed))
        })
        .await?;
    if !removed {
        return record_only(app, &incoming.id).await;
    }
    receive_removal(app, incoming, object_id, false, reason).await
}

/// A moderator locked (`locked`) or reopened the thread `object_id`.
pub async fn receive_lock(
    app: &App,
    incoming: Incoming,
    object_id: String,
    locked: bool,
    reason: Option<String>,
) -> Result<()> {
    let Some((Target::Post(post), venue)) = find_target(app, &object_id).await? else {
        return record_only(app, &incoming.id).await;
    };
    let action = if locked {
        Action::LockPost
    } else {
        Action::UnlockPost
    };
    let mut e = entry(&incoming, action, TargetKind::Post, &venue);
    e.target_ap_id = Some(object_id);
    e.target_label = Some(post.title.clone());
    e.reason = reason;
    vouch(app, &incoming, &venue, e.clone()).await?;
    apply(app, incoming, venue, None, move |c| {
        posts::set_locked(c, post.id, locked)?;
        log::record(c, e)
    })
    .await
}

/// The person a ban is about, as known here.
#[derive(Debug, Clone)]
struct Banned {
    ap_id: String,
    member: Option<Member>,
}

fn banned_person(app: &App, c: &mut DbConnection, ap_id: &str) -> Result<Banned> {
    let urls = Urls::new(&app.config);
    let prefix = format!("{}/u/", urls.base());
    let member = match ap_id.strip_prefix(&prefix) {
        Some(name) => users::find_by_username(c, name)?.map(|u| Member::Local(u.id)),
        None => remote_actors::find_by_ap_id(c, ap_id)?.map(|a| Member::Remote(a.id)),
    };
    Ok(Banned {
        ap_id: ap_id.to_string(),
        member,
    })
}

fn expires_of(block: &Block) -> Option<NaiveDateTime> {
    block.expires.map(|d| d.naive_utc())
}

/// A `Block` (`banned`) or its `Undo`: `block` is the Block itself.
pub async fn receive_block(
    app: &App,
    incoming: Incoming,
    block: Block,
    banned: bool,
) -> Result<()> {
    let target = block.target.as_ref().map(|t| t.id.clone());
    let person = block.object.id().map(str::to_string);
    let (Some(target), Some(person)) = (target, person) else {
        // A person blocking another (Mastodon's Block): theirs to keep, nothing here.
        return record_only(app, &incoming.id).await;
    };
    let urls = Urls::new(&app.config);
    let local_community = match url::Url::parse(&target) {
        Ok(url) if local::is_local(app, &url) => match local::find(app, &target).await? {
            Some(local::LocalActor::Community(c)) => Some(c),
            _ => None,
        },
        _ => None,
    };
    if let Some(community) = local_community {
        let venue = Venue::Local {
            id: community.id,
            ap_id: urls.community(&community.name),
        };
        return community_ban(app, incoming, venue, block, person, banned).await;
    }
    if let Via::Announced(group) = &incoming.via {
        if group.ap_id == target {
            let venue = Venue::Remote(group.clone());
            return community_ban(app, incoming, venue, block, person, banned).await;
        }
        return record_only(app, &incoming.id).await;
    }
    let target_host = url::Url::parse(&target)
        .map(|u| authority(&u))
        .unwrap_or_default();
    if target_host != incoming.actor.domain {
        tracing::debug!(
            target,
            "a ban from an instance sent by someone of another host; ignored"
        );
        return record_only(app, &incoming.id).await;
    }
    instance_ban(app, incoming, block, target, person, banned).await
}

async fn community_ban(
    app: &App,
    incoming: Incoming,
    venue: Venue,
    block: Block,
    person: String,
    banned: bool,
) -> Result<()> {
    let action = if banned {
        Action::BanFromCommunity
    } else {
        Action::UnbanFromCommunity
    };
    let mut e = entry(&incoming, action, TargetKind::Person, &venue);
    e.target_ap_id = Some(person.clone());
    e.reason = reason_in(block.summary.as_deref());
    e.expires_at = expires_of(&block).filter(|_| banned);
    vouch(app, &incoming, &venue, e.clone()).await?;
    let remove_data = banned && block.remove_data == Some(true);
    let scope = venue.ap_id().to_string();
    let (community_id, remote_community, community_ref) = match &venue {
        Venue::Local { id, .. } => (Some(*id), None, CommunityRef::Local(*id)),
        Venue::Remote(a) => (None, Some(a.id), CommunityRef::Remote(a.id)),
    };
    let block_id = Some(block.id.clone());
    let app2 = app.clone();
    apply(app, incoming, venue, None, move |c| {
        let who = banned_person(&app2, c, &person)?;
        if !banned {
            bans::lift(c, &scope, &who.ap_id)?;
            return log::record(c, e);
        }
        if let (Some(id), Some(member)) = (community_id, who.member) {
            if let Some(m) = memberships::find(c, Of::Local(id), member)? {
                if m.role == "owner" {
                    return Err(Error::new(
                        ErrorCode::Forbidden,
                        "the owner cannot be banned",
                    ));
                }
                memberships::delete(c, m.id)?;
            }
            follows::delete_of_community_by(c, id, member)?;
        }
        if let Some(remote) = remote_community {
            leave_banning_community(c, remote, &scope, &who)?;
        }
        bans::put(
            c,
            &NewBan {
                scope: scope.clone(),
                community_id,
                person_ap_id: who.ap_id.clone(),
                user_id: match who.member {
                    Some(Member::Local(id)) => Some(id),
                    _ => None,
                },
                remote_actor_id: match who.member {
                    Some(Member::Remote(id)) => Some(id),
                    _ => None,
                },
                reason: e.reason.clone(),
                expires_at: e.expires_at,
                banned_by: None,
                activity_id: block_id,
                created_at: crate::time::now(),
            },
        )?;
        if remove_data && let Some(member) = who.member {
            posts::remove_by_author(c, member, Some(community_ref))?;
            comments::remove_by_author(c, member, Some(community_ref))?;
        }
        log::record(c, e)
    })
    .await
}

/// Another instance's admins banned someone from their instance. Believed for that
/// instance's own people (with `removeData`, what they wrote is removed here too) and
/// recorded for anyone else (a local person banned there), with no effect here.
async fn instance_ban(
    app: &App,
    incoming: Incoming,
    block: Block,
    target: String,
    person: String,
    banned: bool,
) -> Result<()> {
    // Lemmy also sends a community's ban straight to the banned person's server: a
    // `target` that is a community of the actor's host is that community's ban.
    let key = target.clone();
    let community = app
        .db
        .run(move |c| Ok(remote_actors::find_by_ap_id(c, &key)?.filter(|a| a.is_group())))
        .await?;
    let action = match (banned, community.is_some()) {
        (true, true) => Action::BanFromCommunity,
        (false, true) => Action::UnbanFromCommunity,
        (true, false) => Action::BanFromInstance,
        (false, false) => Action::UnbanFromInstance,
    };
    let mut e = LogEntry::new(
        Moderator {
            user_id: None,
            ap_id: incoming.actor.ap_id.clone(),
        },
        action,
        TargetKind::Person,
    );
    e.community_ap_id = Some(target.clone());
    e.target_ap_id = Some(person.clone());
    e.reason = reason_in(block.summary.as_deref());
    e.expires_at = expires_of(&block).filter(|_| banned);
    let own_person = url::Url::parse(&person)
        .map(|u| authority(&u) == incoming.actor.domain)
        .unwrap_or(false);
    // A community may clear its own content of anyone; an instance only of its own people.
    let scope = community.as_ref().map(|g| CommunityRef::Remote(g.id));
    let remove_data = banned && (own_person || scope.is_some()) && block.remove_data == Some(true);
    let block_id = Some(block.id.clone());
    let id = incoming.id.clone();
    let app2 = app.clone();
    app.db
        .transaction(move |c| {
            if !crate::db::received::record(c, &id, crate::time::now())? {
                return Ok(());
            }
            let who = banned_person(&app2, c, &person)?;
            if !banned {
                bans::lift(c, &target, &who.ap_id)?;
                return log::record(c, e);
            }
            bans::put(
                c,
                &NewBan {
                    scope: target.clone(),
                    community_id: None,
                    person_ap_id: who.ap_id.clone(),
                    user_id: match who.member {
                        Some(Member::Local(id)) => Some(id),
                        _ => None,
                    },
                    remote_actor_id: match who.member {
                        Some(Member::Remote(id)) => Some(id),
                        _ => None,
                    },
                    reason: e.reason.clone(),
                    expires_at: e.expires_at,
                    banned_by: None,
                    activity_id: block_id,
                    created_at: crate::time::now(),
                },
            )?;
            if let Some(CommunityRef::Remote(remote)) = scope {
                leave_banning_community(c, remote, &target, &who)?;
            }
            if remove_data && let Some(member) = who.member {
                posts::remove_by_author(c, member, scope)?;
                comments::remove_by_author(c, member, scope)?;
            }
            log::record(c, e)
        })
        .await
}

/// Lemmy unsubscribes whom it bans from a community without telling them. A local person
/// banned from the remote community `remote` (`ap_id`) loses their follow and membership
/// here too: kept, the follow would look alive while nothing arrives, and following again
/// once the ban is lifted would send nothing.
fn leave_banning_community(
    c: &mut DbConnection,
    remote: i64,
    ap_id: &str,
    who: &Banned,
) -> Result<()> {
    let Some(member @ Member::Local(_)) = who.member else {
        return Ok(());
    };
    if let Some(m) = memberships::find(c, Of::Remote(remote), member)? {
        memberships::delete(c, m.id)?;
    }
    if let Some(f) = follows::find_pair(c, &who.ap_id, ap_id)? {
        follows::delete(c, f.id)?;
    }
    Ok(())
}
