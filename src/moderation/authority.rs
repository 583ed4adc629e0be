//! Who may take a moderator's action: the community's moderators (owners included) and
//! the instance's admins. A refusal is recorded in the moderation log for admins, in its
//! own statement, so that the failing action's rollback does not erase it.

use super::log::{self, Action, LogEntry, Moderator, TargetKind};
use crate::accounts::User;
use crate::communities::Community;
use crate::db::DbConnection;
use crate::db::memberships::Member;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::membership::access::{self, Standing};

/// What a refused attempt was about, for the log.
pub struct Attempt<'a> {
    pub action: Action,
    pub target_kind: TargetKind,
    pub target_ap_id: &'a str,
}

/// The standing of `user` in `community`, or the refusal (logged) when they do not
/// moderate it.
pub fn require_moderator(
    c: &mut DbConnection,
    urls: &Urls,
    community: &Community,
    user: &User,
    attempt: Attempt<'_>,
) -> Result<Standing> {
    let standing = access::standing(c, community.id, Some(Member::Local(user.id)), user.is_admin)?;
    if standing.moderates() {
        return Ok(standing);
    }
    let mut entry = LogEntry::new(
        Moderator {
            user_id: Some(user.id),
            ap_id: urls.person(&user.username),
        },
        attempt.action,
        attempt.target_kind,
    );
    entry.community_id = Some(community.id);
    entry.community_ap_id = Some(urls.community(&community.name));
    entry.target_ap_id = Some(attempt.target_ap_id.to_string());
    log::record_refused(c, entry)?;
    Err(not_a_moderator())
}

/// The refusal (logged) of an admin's action by someone who is not one.
pub fn require_admin(
    c: &mut DbConnection,
    urls: &Urls,
    user: &User,
    attempt: Attempt<'_>,
) -> Result<()> {
    if user.is_admin {
        return Ok(());
    }
    let mut entry = LogEntry::new(
        Moderator {
            user_id: Some(user.id),
            ap_id: urls.person(&user.username),
        },
        attempt.action,
        attempt.target_kind,
    );
    entry.target_ap_id = Some(attempt.target_ap_id.to_string());
    log::record_refused(c, entry)?;
    Err(Error::new(
        ErrorCode::NotAModerator,
        "only the instance's admins can do this",
    ))
}

pub fn not_a_moderator() -> Error {
    Error::new(
        ErrorCode::NotAModerator,
        "only the community's moderators can do this",
    )
}
