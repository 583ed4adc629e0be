//! Standing checks: whether someone is banned, asked wherever a person acts (logging in,
//! posting, commenting, voting, here or in a remote community) — apart from the commands
//! that make and lift bans.

use crate::accounts::User;
use crate::communities::Venue;
use crate::db::DbConnection;
use crate::db::bans::{self, BanRow};
use crate::db::memberships::Member;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;

/// The scope of a ban from this instance (other scopes are actor ids).
pub const INSTANCE_SCOPE: &str = "instance";

/// The refusal for someone banned, saying until when.
pub fn banned_error(ban: &BanRow, what: &str) -> Error {
    let until = match ban.expires_at {
        Some(t) => format!(" until {}", crate::time::rfc3339(t)),
        None => String::new(),
    };
    Error::new(
        ErrorCode::Banned,
        format!("you are banned from {what}{until}"),
    )
}

/// The ban in force of `member` in the local community `community_id` or on the instance.
pub fn ban_of(
    c: &mut DbConnection,
    community_id: Option<i64>,
    member: Member,
) -> Result<Option<BanRow>> {
    Ok(bans::of_member(
        c,
        community_id,
        INSTANCE_SCOPE,
        member,
        crate::time::now(),
    )?)
}

/// Refuses `member`'s application, join, follow or admission to the local community
/// `community_id` while a ban from it (or from this instance) stands: a banned person
/// cannot come back by applying again, nor be let in by mistake.
pub fn check_may_enter(c: &mut DbConnection, community_id: i64, member: Member) -> Result<()> {
    if let Some(ban) = ban_of(c, Some(community_id), member)? {
        return Err(banned_error(&ban, "this community"));
    }
    Ok(())
}

/// Refuses a local user's taking part in the remote community `community_ap_id` when
/// that community (as it told us) or this instance banned them.
pub fn check_remote_participation(
    c: &mut DbConnection,
    urls: &Urls,
    user: &User,
    community_ap_id: &str,
) -> Result<()> {
    let person = urls.person(&user.username);
    let scopes = [community_ap_id, INSTANCE_SCOPE];
    if let Some(ban) = bans::in_force(c, &scopes, &person, crate::time::now())? {
        return Err(banned_error(&ban, "this community"));
    }
    Ok(())
}

/// Whether a local account is banned from this instance (it may not log in).
pub fn instance_ban_of_user(c: &mut DbConnection, user_id: i64) -> Result<Option<BanRow>> {
    ban_of(c, None, Member::Local(user_id))
}

/// Whether the account `user_id` may log in: not when banned from the instance.
pub fn check_may_log_in(c: &mut DbConnection, user_id: i64) -> Result<()> {
    if let Some(ban) = instance_ban_of_user(c, user_id)? {
        let banned = banned_error(&ban, "this server");
        return Err(Error::new(ErrorCode::AccountSuspended, banned.message()));
    }
    Ok(())
}

/// Refuses a local user's post, comment or vote in `venue` when they are banned there (a
/// community here, or a remote community that told us) or from this instance.
pub fn check_may_take_part(
    c: &mut DbConnection,
    urls: &Urls,
    user: &User,
    venue: &Venue,
) -> Result<()> {
    match venue {
        Venue::Local { id, .. } => match ban_of(c, Some(*id), Member::Local(user.id))? {
            Some(ban) => Err(banned_error(&ban, "this community")),
            None => Ok(()),
        },
        Venue::Remote(community) => check_remote_participation(c, urls, user, &community.ap_id),
    }
}

/// Refuses a remote actor's activity in `venue` when they are banned from that local
/// community or from this instance.
pub fn check_remote_may_take_part(
    c: &mut DbConnection,
    venue: &Venue,
    actor_id: i64,
) -> Result<()> {
    let community_id = match venue {
        Venue::Local { id, .. } => Some(*id),
        Venue::Remote(_) => None,
    };
    match ban_of(c, community_id, Member::Remote(actor_id))? {
        Some(ban) => Err(banned_error(&ban, "this community")),
        None => Ok(()),
    }
}
