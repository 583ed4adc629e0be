//! Bans: a person kept out of one community, or out of this whole instance.
//!
//! A community's moderators ban from their community, optionally until a date and
//! optionally removing what the person wrote there; the person's membership and follow of
//! the community end. Admins ban from the instance: a local account can no longer log in
//! (its sessions end), a remote person's activities are refused. Bans are published as
//! Lemmy sends them: `Block` with the community (or the instance actor) as `target`, and
//! lifted with `Undo(Block)`; the community's followers hear of it through its `Announce`,
//! the banned person's server directly.

mod checks;
mod preview;

pub use checks::{
    INSTANCE_SCOPE, ban_of, banned_error, check_may_enter, check_may_log_in, check_may_take_part,
    check_remote_may_take_part, check_remote_participation, instance_ban_of_user,
};

pub use preview::{BanPreview, preview};

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use super::authority::{Attempt, require_admin, require_moderator};
use super::content::check_reason;
use super::log::{self, Action, LogEntry, Moderator, TargetKind};
use crate::accounts::User;
use crate::app::App;
use crate::communities::Community;
use crate::communities::{Reach, Venue};
use crate::db::bans::{self, BanRow, NewBan};
use crate::db::memberships::{self, Member, Of};
use crate::db::posts::CommunityRef;
use crate::db::{DbConnection, comments, communities, follows, posts, sessions};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{BanEnded, BanMade, Event, Recorder};
use crate::federation::local::LocalActor;
use crate::federation::urls::Urls;
use crate::follows::{self as following, Target};

/// Longest ban that can be given a length, in days (longer: give none, it is permanent).
pub const MAX_BAN_DAYS: u32 = 36_500;

/// What a moderator asks for.
#[derive(Debug, Clone, Default)]
pub struct BanInput {
    /// A handle (`@name@host`, or a local name) or actor URL.
    pub person: String,
    pub reason: Option<String>,
    /// None: until lifted.
    pub expires_in_days: Option<u32>,
    /// Also remove what they wrote (in the community; for an instance ban, everywhere here).
    pub remove_data: bool,
}

/// A ban as clients see it.
#[derive(Debug, Clone, Serialize)]
pub struct BanView {
    pub id: i64,
    /// The person's actor id.
    pub person: String,
    /// The community's actor id, or `instance`.
    pub scope: String,
    pub reason: Option<String>,
    pub expires_at: Option<String>,
    pub created_at: String,
}

impl From<BanRow> for BanView {
    fn from(row: BanRow) -> Self {
        BanView {
            id: row.id,
            person: row.person_ap_id,
            scope: row.scope,
            reason: row.reason,
            expires_at: row.expires_at.map(crate::time::rfc3339),
            created_at: crate::time::rfc3339(row.created_at),
        }
    }
}

/// Who a ban (or a purge) is about.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub ap_id: String,
    pub member: Member,
    /// Where to tell a remote person's server.
    pub inbox: Option<String>,
    pub label: String,
    pub is_admin: bool,
}

/// The person named by a handle (`@name@host`, or a name of this server) or actor URL.
pub(crate) async fn resolve_person(app: &App, query: &str) -> Result<Person> {
    let urls = Urls::new(&app.config);
    let query = query.trim();
    let query = if query.contains('@') || query.contains("://") {
        query.to_string()
    } else {
        format!("@{query}@{}", app.config.domain)
    };
    match following::resolve(app, &query).await? {
        Target::Local(LocalActor::Person(user)) => Ok(Person {
            ap_id: urls.person(&user.username),
            member: Member::Local(user.id),
            inbox: None,
            label: user.username.clone(),
            is_admin: user.is_admin,
        }),
        Target::Remote(actor) if !actor.is_group() => Ok(Person {
            ap_id: actor.ap_id.clone(),
            member: Member::Remote(actor.id),
            inbox: Some(actor.inbox.clone()),
            label: format!("{}@{}", actor.username, actor.domain),
            is_admin: false,
        }),
        _ => Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("{query} is not a person"),
        )),
    }
}

fn expiry(days: Option<u32>) -> Result<Option<NaiveDateTime>> {
    match days {
        None => Ok(None),
        Some(d) if (1..=MAX_BAN_DAYS).contains(&d) => {
            Ok(Some(crate::time::now() + TimeDelta::days(i64::from(d))))
        }
        Some(_) => Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("a ban lasts 1 to {MAX_BAN_DAYS} days, or has no end"),
        )),
    }
}

fn moderator_of(urls: &Urls, user: &User) -> Moderator {
    Moderator {
        user_id: Some(user.id),
        ap_id: urls.person(&user.username),
    }
}

fn community_venue(urls: &Urls, community: &Community) -> Venue {
    Venue::Local {
        id: community.id,
        ap_id: urls.community(&community.name),
    }
}

/// Who hears of a ban in `community` (none: the instance's, heard by every follower server).
fn ban_reach(community: Option<&Community>) -> Reach {
    // A private community's ban is its members' business.
    match community {
        Some(c) if c.is_private() => Reach::Members(None),
        _ => Reach::Everyone,
    }
}

/// A moderator of the local community `name` bans a person from it.
pub async fn ban_in_community(
    app: &App,
    user: &User,
    name: &str,
    input: BanInput,
) -> Result<BanView> {
    crate::db::settle_race(|| ban_in_community_once(app, user, name, input.clone())).await
}

async fn ban_in_community_once(
    app: &App,
    user: &User,
    name: &str,
    input: BanInput,
) -> Result<BanView> {
    let reason = check_reason(input.reason)?;
    let expires_at = expiry(input.expires_in_days)?;
    let person = resolve_person(app, &input.person).await?;
    let urls = Urls::new(&app.config);
    let actor = user.clone();
    let community_name = name.to_string();
    let (community, standing) = app
        .db
        .run({
            let urls = urls.clone();
            let person = person.ap_id.clone();
            move |c| {
                let community =
                    communities::find_by_name(c, &community_name)?.ok_or_else(|| {
                        Error::new(
                            ErrorCode::NotFound,
                            format!("no community '{community_name}'"),
                        )
                    })?;
                let attempt = Attempt {
                    action: Action::BanFromCommunity,
                    target_kind: TargetKind::Person,
                    target_ap_id: &person,
                };
                let standing = require_moderator(c, &urls, &community, &actor, attempt)?;
                Ok((community, standing))
            }
        })
        .await?;
    if person.member == Member::Local(user.id) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "you cannot ban yourself",
        ));
    }
    let user = user.clone();
    let row = app
        .change(move |c, events| {
            let target = memberships::find(c, Of::Local(community.id), person.member)?;
            let target_role = target
                .as_ref()
                .filter(|m| m.state == "accepted")
                .map(|m| m.role.clone());
            let caller_is_owner = standing.role() == Some(crate::membership::Role::Owner);
            match target_role.as_deref() {
                Some("owner") => {
                    return Err(Error::new(
                        ErrorCode::Forbidden,
                        "the owner cannot be banned",
                    ));
                }
                Some("moderator") if !(caller_is_owner || user.is_admin) => {
                    return Err(Error::new(
                        ErrorCode::Forbidden,
                        "only the owner or an admin can ban a moderator",
                    ));
                }
                _ => {}
            }
            let community_ap_id = urls.community(&community.name);
            // Recorded before the person's follow ends, so the follower servers hear of it
            // while theirs still stands.
            let terms = Terms {
                reason: reason.clone(),
                expires_at,
                remove_data: input.remove_data,
            };
            let row = put(c, events, &urls, &user, &person, Some(&community), terms)?;
            if let Some(m) = target {
                memberships::delete(c, m.id)?;
            }
            follows::delete_of_community_by(c, community.id, person.member)?;
            if input.remove_data {
                let scope = Some(CommunityRef::Local(community.id));
                posts::remove_by_author(c, person.member, scope)?;
                comments::remove_by_author(c, person.member, scope)?;
            }
            let mut e = LogEntry::new(
                moderator_of(&urls, &user),
                Action::BanFromCommunity,
                TargetKind::Person,
            );
            e.community_id = Some(community.id);
            e.community_ap_id = Some(community_ap_id);
            e.target_ap_id = Some(person.ap_id.clone());
            e.target_label = Some(person.label.clone());
            e.reason = reason;
            e.expires_at = expires_at;
            log::record(c, e)?;
            Ok(row)
        })
        .await?;
    Ok(row.into())
}

/// A moderator of the local community `name` lifts the ban `ban_id`.
pub async fn unban_in_community(
    app: &App,
    user: &User,
    name: &str,
    ban_id: i64,
    reason: Option<String>,
) -> Result<()> {
    let reason = check_reason(reason)?;
    let urls = Urls::new(&app.config);
    let actor = user.clone();
    let community_name = name.to_string();
    let (community, ban) = app
        .db
        .run({
            let urls = urls.clone();
            move |c| {
                let community =
                    communities::find_by_name(c, &community_name)?.ok_or_else(|| {
                        Error::new(
                            ErrorCode::NotFound,
                            format!("no community '{community_name}'"),
                        )
                    })?;
                let ban = bans::find_by_id(c, ban_id)?
                    .filter(|b| b.community_id == Some(community.id))
                    .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such ban"))?;
                let attempt = Attempt {
                    action: Action::UnbanFromCommunity,
                    target_kind: TargetKind::Person,
                    target_ap_id: &ban.person_ap_id,
                };
                require_moderator(c, &urls, &community, &actor, attempt)?;
                Ok((community, ban))
            }
        })
        .await?;
    lift(app, user, ban, Some(community), reason).await
}

/// Lifts `ban`, sends the `Undo` of its `Block` (also to the person, when remote) and logs
/// who lifted it; the caller has checked that `user` may. A ban in a local `community` is
/// announced to its followers, as every moderator action is; an instance ban (`None`) is
/// sent to every server that follows a local community.
async fn lift(
    app: &App,
    user: &User,
    ban: BanRow,
    community: Option<Community>,
    reason: Option<String>,
) -> Result<()> {
    let urls = Urls::new(&app.config);
    let user = user.clone();
    app.change(move |c, events| {
        bans::lift(c, &ban.scope, &ban.person_ap_id)?;
        let moderator = urls.person(&user.username);
        let community = community.as_ref();
        events.record(
            c,
            Event::BanLifted(BanEnded {
                moderator,
                ban: ban.clone(),
                venue: community.map(|k| community_venue(&urls, k)),
                reach: ban_reach(community),
                reason: reason.clone(),
            }),
        )?;
        let action = match community {
            Some(_) => Action::UnbanFromCommunity,
            None => Action::UnbanFromInstance,
        };
        let mut e = LogEntry::new(moderator_of(&urls, &user), action, TargetKind::Person);
        if let Some(community) = community {
            e.community_id = Some(community.id);
            e.community_ap_id = Some(ban.scope.clone());
        }
        e.target_ap_id = Some(ban.person_ap_id.clone());
        e.reason = reason;
        log::record(c, e)?;
        Ok(())
    })
    .await
}

/// What a ban says of its length and of what the person wrote.
struct Terms {
    reason: Option<String>,
    expires_at: Option<NaiveDateTime>,
    remove_data: bool,
}

/// Records that `by` banned `person` from `community` (None: from the instance) and writes
/// the ban, under the id of the activity that announces it.
fn put(
    c: &mut DbConnection,
    events: &mut Recorder,
    urls: &Urls,
    by: &User,
    person: &Person,
    community: Option<&Community>,
    terms: Terms,
) -> Result<BanRow> {
    let activity = urls.new_activity_id("Block");
    events.record(
        c,
        Event::Banned(BanMade {
            moderator: urls.person(&by.username),
            person: person.ap_id.clone(),
            person_inbox: person.inbox.clone(),
            venue: community.map(|k| community_venue(urls, k)),
            reach: ban_reach(community),
            reason: terms.reason.clone(),
            expires_at: terms.expires_at,
            remove_data: terms.remove_data,
            activity: activity.clone(),
        }),
    )?;
    Ok(bans::put(
        c,
        &NewBan {
            scope: community
                .map_or_else(|| INSTANCE_SCOPE.to_string(), |k| urls.community(&k.name)),
            community_id: community.map(|k| k.id),
            person_ap_id: person.ap_id.clone(),
            user_id: local_id(person.member),
            remote_actor_id: remote_id(person.member),
            reason: terms.reason,
            expires_at: terms.expires_at,
            banned_by: Some(by.id),
            activity_id: Some(activity),
            created_at: crate::time::now(),
        },
    )?)
}

fn local_id(member: Member) -> Option<i64> {
    match member {
        Member::Local(id) => Some(id),
        Member::Remote(_) => None,
    }
}

fn remote_id(member: Member) -> Option<i64> {
    match member {
        Member::Remote(id) => Some(id),
        Member::Local(_) => None,
    }
}

/// The bans of the local community `name`, for its moderators; newest first.
pub async fn list_in_community(
    app: &App,
    user: &User,
    name: &str,
    before: Option<i64>,
) -> Result<Vec<BanView>> {
    let urls = Urls::new(&app.config);
    let name = name.to_string();
    let user = user.clone();
    app.db
        .run(move |c| {
            let community = communities::find_by_name(c, &name)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
            let standing = crate::membership::access::standing(
                c,
                community.id,
                Some(Member::Local(user.id)),
                user.is_admin,
            )?;
            if !standing.moderates() {
                return Err(super::authority::not_a_moderator());
            }
            let scope = urls.community(&community.name);
            let rows = bans::of_scope(c, &scope, before.unwrap_or(i64::MAX), 100)?;
            Ok(rows.into_iter().map(BanView::from).collect())
        })
        .await
}

/// An admin bans a person from this instance.
pub async fn ban_from_instance(app: &App, admin: &User, input: BanInput) -> Result<BanView> {
    crate::db::settle_race(|| ban_from_instance_once(app, admin, input.clone())).await
}

async fn ban_from_instance_once(app: &App, admin: &User, input: BanInput) -> Result<BanView> {
    let reason = check_reason(input.reason)?;
    let expires_at = expiry(input.expires_in_days)?;
    let person = resolve_person(app, &input.person).await?;
    let urls = Urls::new(&app.config);
    {
        let urls = urls.clone();
        let actor = admin.clone();
        let target = person.ap_id.clone();
        app.db
            .run(move |c| {
                let attempt = Attempt {
                    action: Action::BanFromInstance,
                    target_kind: TargetKind::Person,
                    target_ap_id: &target,
                };
                require_admin(c, &urls, &actor, attempt)
            })
            .await?;
    }
    if person.is_admin {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "an admin cannot be banned; take away their admin rights first",
        ));
    }
    let admin = admin.clone();
    let row = app
        .change(move |c, events| {
            let terms = Terms {
                reason: reason.clone(),
                expires_at,
                remove_data: input.remove_data,
            };
            let row = put(c, events, &urls, &admin, &person, None, terms)?;
            if let Member::Local(id) = person.member {
                sessions::delete_all_for_user(c, id)?;
            }
            if input.remove_data {
                posts::remove_by_author(c, person.member, None)?;
                comments::remove_by_author(c, person.member, None)?;
            }
            let mut e = LogEntry::new(
                moderator_of(&urls, &admin),
                Action::BanFromInstance,
                TargetKind::Person,
            );
            e.target_ap_id = Some(person.ap_id.clone());
            e.target_label = Some(person.label.clone());
            e.reason = reason;
            e.expires_at = expires_at;
            log::record(c, e)?;
            Ok(row)
        })
        .await?;
    Ok(row.into())
}

/// An admin lifts the instance ban `ban_id`.
pub async fn unban_from_instance(
    app: &App,
    admin: &User,
    ban_id: i64,
    reason: Option<String>,
) -> Result<()> {
    let reason = check_reason(reason)?;
    let urls = Urls::new(&app.config);
    let actor = admin.clone();
    let ban = app
        .db
        .run({
            let urls = urls.clone();
            move |c| {
                let ban = bans::find_by_id(c, ban_id)?
                    .filter(|b| b.scope == INSTANCE_SCOPE)
                    .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such ban"))?;
                let attempt = Attempt {
                    action: Action::UnbanFromInstance,
                    target_kind: TargetKind::Person,
                    target_ap_id: &ban.person_ap_id,
                };
                require_admin(c, &urls, &actor, attempt)?;
                Ok(ban)
            }
        })
        .await?;
    lift(app, admin, ban, None, reason).await
}

/// The instance's bans, for admins; newest first.
pub async fn list_instance(app: &App, admin: &User, before: Option<i64>) -> Result<Vec<BanView>> {
    if !admin.is_admin {
        return Err(Error::new(ErrorCode::Forbidden, "admins only"));
    }
    app.db
        .run(move |c| {
            let rows = bans::of_scope(c, INSTANCE_SCOPE, before.unwrap_or(i64::MAX), 100)?;
            Ok(rows.into_iter().map(BanView::from).collect())
        })
        .await
}
