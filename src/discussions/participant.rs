//! Who takes part in a discussion, and the rules they are held to, whatever their origin.
//!
//! A person of this server (through the API) and a person of another server (through the
//! inbox) post, comment and vote under the same rules: the community's bans, the space's
//! audience, its posting policy and whether it asks for verified members. Both paths ask
//! here, so they cannot drift apart.

use crate::accounts::User;
use crate::communities::Venue;
use crate::db::comments::CommentRow;
use crate::db::memberships::Member;
use crate::db::posts::PostRow;
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, communities, spaces};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::membership::access;

/// A person taking part.
#[derive(Debug, Clone, Copy)]
pub enum Participant<'a> {
    Local(&'a User),
    Remote(&'a CachedActor),
}

impl Participant<'_> {
    pub fn member(&self) -> Member {
        match self {
            Participant::Local(user) => Member::Local(user.id),
            Participant::Remote(actor) => Member::Remote(actor.id),
        }
    }

    fn is_admin(&self) -> bool {
        matches!(self, Participant::Local(user) if user.is_admin)
    }

    /// Whether they wrote `post`.
    pub fn wrote(&self, post: &PostRow) -> bool {
        match self {
            Participant::Local(user) => post.author_user_id == Some(user.id),
            Participant::Remote(actor) => post.author_remote_id == Some(actor.id),
        }
    }

    /// Whether they wrote `comment`.
    pub fn wrote_comment(&self, comment: &CommentRow) -> bool {
        match self {
            Participant::Local(user) => comment.author_user_id == Some(user.id),
            Participant::Remote(actor) => comment.author_remote_id == Some(actor.id),
        }
    }
}

/// Refuses someone banned where `venue` is: from a local community or this instance, or,
/// for a person of this server, from a remote community (as it told us).
pub fn check_not_banned(
    c: &mut DbConnection,
    urls: &Urls,
    who: Participant<'_>,
    venue: &Venue,
) -> Result<()> {
    match who {
        Participant::Local(user) => {
            crate::moderation::bans::check_may_take_part(c, urls, user, venue)
        }
        Participant::Remote(actor) => {
            crate::moderation::bans::check_remote_may_take_part(c, venue, actor.id)
        }
    }
}

/// Whether `who` may read `post`: a restricted post only by its audience (and its author),
/// a removed one only by the moderators of its community here.
pub fn may_see(c: &mut DbConnection, post: &PostRow, who: Participant<'_>) -> Result<bool> {
    if post.removed && !moderates(c, post, who)? {
        return Ok(false);
    }
    if !post.restricted || who.wrote(post) {
        return Ok(true);
    }
    let Some(community_id) = post.community_id else {
        // A restricted post of another server's community is shown here only to the local
        // people it names; that community decides who else may see it.
        return match who {
            Participant::Local(user) => Ok(crate::db::posts::is_recipient(c, post.id, user.id)?),
            Participant::Remote(_) => Ok(true),
        };
    };
    let Some(community) = communities::find(c, community_id)? else {
        return Ok(false);
    };
    let standing = access::standing(c, community_id, Some(who.member()), who.is_admin())?;
    Ok(match post.space_id {
        Some(id) => match spaces::find(c, id)? {
            Some(space) => access::can_see_space(&community, &space, &standing),
            None => access::can_see_community(&community, &standing),
        },
        None => access::can_see_community(&community, &standing),
    })
}

fn moderates(c: &mut DbConnection, post: &PostRow, who: Participant<'_>) -> Result<bool> {
    match (who, post.community_id) {
        (Participant::Local(user), _) if user.is_admin => Ok(true),
        (Participant::Local(user), Some(id)) => Ok(communities::is_moderator(c, id, user.id)?),
        _ => Ok(false),
    }
}

/// The space a new post in the local community `community_id` goes to (the one named by
/// `slug`, or the default space), checked against the community's rules for `who`, and
/// whether the post is restricted to the space's audience.
pub fn space_for_post(
    c: &mut DbConnection,
    community_id: i64,
    who: Participant<'_>,
    slug: Option<&str>,
) -> Result<(i64, bool)> {
    let community = communities::find(c, community_id)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
    let space = match slug {
        Some(slug) => spaces::find_by_slug(c, community_id, slug)?,
        None => spaces::default_of(c, community_id)?,
    };
    let standing = access::standing(c, community_id, Some(who.member()), who.is_admin())?;
    let space = space
        .filter(|s| access::can_see_space(&community, s, &standing) || slug.is_none())
        .ok_or_else(|| Error::new(ErrorCode::SpaceInvalid, "no such space in this community"))?;
    access::check_can_post(&community, &space, &standing)?;
    Ok((space.id, !access::space_is_public(&community, &space)))
}

/// Refuses a comment by `who` under `post` unless the thread is open and, in a community
/// here, its rules let them take part.
pub fn check_may_comment(c: &mut DbConnection, post: &PostRow, who: Participant<'_>) -> Result<()> {
    if let Some(community_id) = post.community_id {
        check_community_rules(c, community_id, post, who)?;
    }
    if post.locked {
        return Err(Error::new(ErrorCode::PostLocked, "this thread is locked"));
    }
    Ok(())
}

fn check_community_rules(
    c: &mut DbConnection,
    community_id: i64,
    post: &PostRow,
    who: Participant<'_>,
) -> Result<()> {
    let community = communities::find(c, community_id)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
    let standing = access::standing(c, community_id, Some(who.member()), who.is_admin())?;
    let space = match post.space_id {
        Some(id) => spaces::find(c, id)?,
        None => None,
    };
    access::check_can_comment(&community, space.as_ref(), &standing)
}

/// Refuses a vote by `who` on (something under) `post` in `venue`: someone banned there
/// may not vote, and what one may not see is not there to vote on.
pub fn check_may_vote(
    c: &mut DbConnection,
    urls: &Urls,
    post: &PostRow,
    venue: &Venue,
    who: Participant<'_>,
) -> Result<()> {
    check_not_banned(c, urls, who, venue)?;
    if post.deleted || !may_see(c, post, who)? {
        return Err(Error::new(ErrorCode::NotFound, "no such post"));
    }
    Ok(())
}
