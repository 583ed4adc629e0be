//! Who may see and do what in a local community: the one place the rules of visibility,
//! spaces and posting are decided.
//!
//! Everything here fails closed: an unknown stored policy reads as the strictest one, and
//! a reader who cannot see a restricted thing is told it does not exist.

use crate::communities::Community;
use crate::db::memberships::{self, Member, MembershipRow, Of};
use crate::db::spaces::SpaceRow;
use crate::db::{DbConnection, credentials, spaces};
use crate::error::{Error, ErrorCode, Result};

use super::model::{Audience, MembershipState, PostingPolicy, Role};

/// What one person (local or remote, or nobody) is to one local community.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    pub membership: Option<MembershipRow>,
    /// Names of the credentials moderators verified for this member.
    pub credentials: Vec<String>,
    /// An instance admin: moderates every local community.
    pub admin: bool,
    /// A ban in force, from this community or from the whole instance.
    pub ban: Option<crate::db::bans::BanRow>,
}

impl Standing {
    /// An accepted member (moderators and owners are members too).
    pub fn is_member(&self) -> bool {
        self.admin
            || self
                .membership
                .as_ref()
                .is_some_and(|m| m.state == MembershipState::Accepted.as_str())
    }

    /// The member's role, if they are one.
    pub fn role(&self) -> Option<Role> {
        self.membership
            .as_ref()
            .filter(|m| m.state == MembershipState::Accepted.as_str())
            .map(|m| Role::parse(&m.role).unwrap_or(Role::Member))
    }

    pub fn moderates(&self) -> bool {
        self.admin || self.role().is_some_and(Role::moderates)
    }

    pub fn holds(&self, credential: &str) -> bool {
        self.credentials.iter().any(|c| c == credential)
    }
}

/// The standing of `member` (None: an anonymous reader) in the local community `community_id`.
pub fn standing(
    conn: &mut DbConnection,
    community_id: i64,
    member: Option<Member>,
    admin: bool,
) -> Result<Standing> {
    let Some(member) = member else {
        return Ok(Standing::default());
    };
    let membership = memberships::find(conn, Of::Local(community_id), member)?;
    let credentials = match &membership {
        Some(m) if m.state == MembershipState::Accepted.as_str() => {
            credentials::of_membership(conn, m.id)?
                .into_iter()
                .map(|c| c.name)
                .collect()
        }
        _ => Vec::new(),
    };
    let ban = crate::moderation::bans::ban_of(conn, Some(community_id), member)?;
    Ok(Standing {
        membership,
        credentials,
        admin,
        ban,
    })
}

/// Whether the community itself (its posts, members, outbox) is visible.
pub fn can_see_community(community: &Community, standing: &Standing) -> bool {
    !community.is_private() || standing.is_member() || standing.moderates()
}

/// Whether a space's posts are visible.
pub fn can_see_space(community: &Community, space: &SpaceRow, standing: &Standing) -> bool {
    if !can_see_community(community, standing) {
        return false;
    }
    match Audience::parse(&space.audience).unwrap_or(Audience::Members) {
        Audience::Everyone => true,
        Audience::Members => standing.is_member(),
        Audience::Credential => {
            standing.moderates()
                || (standing.is_member()
                    && space
                        .credential
                        .as_deref()
                        .is_some_and(|c| standing.holds(c)))
        }
    }
}

/// Whether posts in this space are for everyone (public, not restricted).
pub fn space_is_public(community: &Community, space: &SpaceRow) -> bool {
    !community.is_private() && space.audience == Audience::Everyone.as_str()
}

/// The ids of the community's spaces the reader may see.
pub fn visible_spaces(
    conn: &mut DbConnection,
    community: &Community,
    standing: &Standing,
) -> Result<Vec<i64>> {
    Ok(spaces::of_community(conn, community.id)?
        .into_iter()
        .filter(|s| can_see_space(community, s, standing))
        .map(|s| s.id)
        .collect())
}

/// Refuses a new post in `space` unless the community's rules allow this person to start
/// one there.
pub fn check_can_post(community: &Community, space: &SpaceRow, standing: &Standing) -> Result<()> {
    check_not_banned(standing)?;
    if !can_see_space(community, space, standing) {
        return Err(not_allowed(
            "this space is only for members of its audience",
        ));
    }
    match community.posting_policy() {
        PostingPolicy::Followers => {}
        PostingPolicy::Members if !standing.is_member() => {
            return Err(not_allowed("only members may post in this community"));
        }
        PostingPolicy::Moderators if !standing.moderates() => {
            return Err(not_allowed("only moderators may post in this community"));
        }
        _ => {}
    }
    check_verified(community, standing)
}

/// Refuses a comment unless the person may take part: the post's space must be visible to
/// them, a members-only community needs membership, and "verified only" holds for comments
/// as for posts. A moderators-only posting policy does not close the comments.
pub fn check_can_comment(
    community: &Community,
    space: Option<&SpaceRow>,
    standing: &Standing,
) -> Result<()> {
    check_not_banned(standing)?;
    let visible = match space {
        Some(space) => can_see_space(community, space, standing),
        None => can_see_community(community, standing),
    };
    if !visible {
        return Err(not_allowed(
            "this thread is only for members of its audience",
        ));
    }
    if community.posting_policy() == PostingPolicy::Members && !standing.is_member() {
        return Err(not_allowed("only members may take part in this community"));
    }
    check_verified(community, standing)
}

/// Refuses anything from someone banned from the community or the instance.
pub fn check_not_banned(standing: &Standing) -> Result<()> {
    match &standing.ban {
        Some(ban) => Err(crate::moderation::bans::banned_error(ban, "this community")),
        None => Ok(()),
    }
}

fn check_verified(community: &Community, standing: &Standing) -> Result<()> {
    if community.verified_posting_only && !standing.moderates() && standing.credentials.is_empty() {
        return Err(Error::new(
            ErrorCode::VerificationRequired,
            "only members with a verified credential may post in this community",
        ));
    }
    Ok(())
}

fn not_allowed(message: &str) -> Error {
    Error::new(ErrorCode::PostingNotAllowed, message)
}
