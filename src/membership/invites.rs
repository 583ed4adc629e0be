//! Invites: links with an expiry and a use limit, and invitations of one fediverse person.

use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

use crate::db::DbConnection;
use crate::db::invites::{self, InviteRow, NewInvite};
use crate::error::{Error, ErrorCode, Result};

/// Characters of an invite code: no look-alikes (0/O, 1/l/I), so codes survive being read
/// aloud or copied by hand.
const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const CODE_LEN: usize = 12;
pub const MAX_INVITE_DAYS: i64 = 365;

/// A fresh random code.
pub fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// What a moderator asks for.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub max_uses: Option<i32>,
    pub expires_in_days: Option<i64>,
    /// The actor id of the one person this invite is for.
    pub invitee_ap_id: Option<String>,
}

/// Stores a new invite for `community_id` made by `by`.
pub fn create(
    c: &mut DbConnection,
    community_id: i64,
    by: i64,
    input: &InviteInput,
    now: NaiveDateTime,
) -> Result<InviteRow> {
    if input.max_uses.is_some_and(|n| !(1..=10_000).contains(&n)) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "max_uses is between 1 and 10000",
        ));
    }
    if input
        .expires_in_days
        .is_some_and(|d| !(1..=MAX_INVITE_DAYS).contains(&d))
    {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("expires_in_days is between 1 and {MAX_INVITE_DAYS}"),
        ));
    }
    Ok(invites::insert(
        c,
        &NewInvite {
            community_id,
            code: new_code(),
            created_by: Some(by),
            invitee_ap_id: input.invitee_ap_id.clone(),
            max_uses: if input.invitee_ap_id.is_some() {
                Some(1)
            } else {
                input.max_uses
            },
            expires_at: input.expires_in_days.map(|d| now + TimeDelta::days(d)),
            created_at: now,
        },
    )?)
}

/// Uses the invite `code` for `community_id` on behalf of `member_ap_id`; returns its id.
/// Refused when unknown, revoked, for another community or person, used up, or expired.
pub fn redeem(
    c: &mut DbConnection,
    community_id: i64,
    code: &str,
    member_ap_id: &str,
    now: NaiveDateTime,
) -> Result<i64> {
    let invite = invites::find_by_code(c, code.trim())?
        .filter(|i| i.community_id == community_id && !i.revoked)
        .ok_or_else(|| Error::new(ErrorCode::InviteInvalid, "this invite is not valid"))?;
    if invite.expires_at.is_some_and(|t| t <= now) {
        return Err(Error::new(
            ErrorCode::InviteExpired,
            "this invite has expired",
        ));
    }
    if invite
        .invitee_ap_id
        .as_deref()
        .is_some_and(|who| who != member_ap_id)
    {
        return Err(Error::new(
            ErrorCode::InviteInvalid,
            "this invite was made for someone else",
        ));
    }
    if !invites::use_once(c, invite.id)? {
        return Err(Error::new(
            ErrorCode::InviteInvalid,
            "this invite has been used up",
        ));
    }
    Ok(invite.id)
}

/// A moderator of community `name` makes an invite: a link anyone may use (within its
/// limits), or, with `invitee` (a handle or actor URL), one for that person alone, who is
/// sent an `Invite` (a notification, for a person here).
pub async fn invite(
    app: &crate::app::App,
    user: &crate::accounts::User,
    name: &str,
    mut input: InviteInput,
    invitee: Option<&str>,
) -> Result<InviteRow> {
    let urls = crate::federation::urls::Urls::new(&app.config);
    let target = match invitee {
        Some(handle) => Some(crate::follows::resolve(app, handle).await?),
        None => None,
    };
    if let Some(t) = &target {
        input.invitee_ap_id = Some(t.ap_id(&urls));
    }
    let name = name.to_string();
    let user = user.clone();
    app.change(move |c, events| {
        let community = must_moderate(c, &name, &user)?;
        let now = crate::time::now();
        let row = create(c, community.id, user.id, &input, now)?;
        let community_ap_id = urls.community(&community.name);
        match &target {
            Some(crate::follows::Target::Local(crate::federation::local::LocalActor::Person(
                p,
            ))) => {
                let message = crate::i18n::Message::new("notice-invite-code")
                    .arg("person", format!("@{}", user.username))
                    .arg("community", format!("!{}", community.name))
                    .arg("code", row.code.clone());
                crate::accounts::notify(c, p.id, "invite", Some(&community_ap_id), &message, now)?;
            }
            Some(crate::follows::Target::Remote(actor)) => {
                let event = crate::events::Event::Invited {
                    inviter: urls.person(&user.username),
                    community: community_ap_id,
                    invitee: actor.ap_id.clone(),
                    inbox: actor.inbox.clone(),
                    code: row.code.clone(),
                };
                events.record(c, event)?;
            }
            _ => {}
        }
        Ok(row)
    })
    .await
}

fn must_moderate(
    c: &mut DbConnection,
    name: &str,
    user: &crate::accounts::User,
) -> Result<crate::communities::Community> {
    let community = crate::db::communities::find_by_name(c, name)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
    let standing = super::access::standing(
        c,
        community.id,
        Some(crate::db::memberships::Member::Local(user.id)),
        user.is_admin,
    )?;
    if !standing.moderates() {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "only the community's moderators manage invites",
        ));
    }
    Ok(community)
}

/// A community's invites, newest first, for its moderators.
pub async fn list(
    app: &crate::app::App,
    user: &crate::accounts::User,
    name: &str,
) -> Result<Vec<InviteRow>> {
    let name = name.to_string();
    let user = user.clone();
    app.db
        .run(move |c| {
            let community = must_moderate(c, &name, &user)?;
            Ok(invites::of_community(c, community.id)?)
        })
        .await
}

/// Revokes an invite: it can no longer be used.
pub async fn revoke(
    app: &crate::app::App,
    user: &crate::accounts::User,
    name: &str,
    id: i64,
) -> Result<()> {
    let name = name.to_string();
    let user = user.clone();
    app.db
        .run(move |c| {
            let community = must_moderate(c, &name, &user)?;
            if invites::revoke(c, community.id, id)? == 0 {
                return Err(Error::new(ErrorCode::NotFound, "no such invite"));
            }
            Ok(())
        })
        .await
}
