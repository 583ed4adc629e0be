//! What moderators do with members: decide applications, list members, change roles and
//! record verified credentials.

use super::access::{self, Standing};
use super::incoming::answer;
use super::join::request_kind;
use super::model::{MAX_REASON_CHARS, MembershipState, Role};
use super::view::{self, MembershipView};
use super::welcome;
use crate::accounts::User;
use crate::accounts::notify;
use crate::app::App;
use crate::communities::Community;
use crate::db::memberships::{self, Member, MembershipRow};
use crate::db::{DbConnection, communities, credentials, follows, remote_actors};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Event, Recorder};
use crate::federation::urls::Urls;
use crate::i18n::Message;

pub const MAX_CREDENTIAL_CHARS: usize = 100;
const PAGE: i64 = 100;

/// The community `name` and the standing of `user` in it.
fn community_and_standing(
    c: &mut DbConnection,
    name: &str,
    user: Option<&User>,
) -> Result<(Community, Standing)> {
    let community = communities::find_by_name(c, name)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
    let standing = access::standing(
        c,
        community.id,
        user.map(|u| Member::Local(u.id)),
        user.is_some_and(|u| u.is_admin),
    )?;
    Ok((community, standing))
}

fn must_moderate(standing: &Standing) -> Result<()> {
    if standing.moderates() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::Forbidden,
            "only the community's moderators can do this",
        ))
    }
}

/// Memberships of community `name` in `state`, for its moderators (applications) or, for
/// accepted members, for whoever may see the member list.
pub async fn list(
    app: &App,
    user: Option<&User>,
    name: &str,
    state: MembershipState,
    after: i64,
) -> Result<Vec<MembershipView>> {
    let urls = Urls::new(&app.config);
    let domain = app.config.domain.clone();
    let name = name.to_string();
    let user = user.cloned();
    app.db
        .run(move |c| {
            let (community, standing) = community_and_standing(c, &name, user.as_ref())?;
            let allowed = match state {
                MembershipState::Accepted => {
                    standing.moderates()
                        || (access::can_see_community(&community, &standing)
                            && (community.member_list_public || standing.is_member()))
                }
                _ => standing.moderates(),
            };
            if !allowed {
                return Err(Error::new(
                    ErrorCode::Forbidden,
                    "the member list is visible to members only",
                ));
            }
            let moderates = standing.moderates();
            memberships::of_community(c, community.id, state.as_str(), after, PAGE)?
                .iter()
                .map(|row| {
                    let mut view = view::build(c, &urls, &domain, row)?;
                    // What applicants answered (a registration number, say) is for the
                    // moderators who decide, not for every member or visitor.
                    if !moderates {
                        view.answers = None;
                        view.application_note = None;
                        view.decision_reason = None;
                    }
                    Ok(view)
                })
                .collect()
        })
        .await
}

/// A moderator approves or rejects an application, with an optional reason. The applicant
/// is told: a notification here, `Accept` or `Reject` for another server.
pub async fn decide(
    app: &App,
    user: &User,
    name: &str,
    membership_id: i64,
    approve: bool,
    reason: Option<String>,
) -> Result<MembershipView> {
    let reason = reason
        .map(|r| r.trim().chars().take(MAX_REASON_CHARS).collect::<String>())
        .filter(|r| !r.is_empty());
    let urls = Urls::new(&app.config);
    let name = name.to_string();
    let moderator = user.clone();
    let row = app
        .change(move |c, events| {
            let (community, standing) = community_and_standing(c, &name, Some(&moderator))?;
            must_moderate(&standing)?;
            let row = memberships::find_by_id(c, membership_id)?
                .filter(|m| m.community_id == Some(community.id))
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such application"))?;
            if row.state != MembershipState::Pending.as_str() {
                return Err(Error::new(
                    ErrorCode::ApplicationNotPending,
                    "this application was already decided",
                ));
            }
            // Not let in while a ban stands (it was made after the application, say).
            if approve {
                let applicant = match (row.user_id, row.remote_actor_id) {
                    (Some(id), _) => Some(Member::Local(id)),
                    (None, Some(id)) => Some(Member::Remote(id)),
                    (None, None) => None,
                };
                if let Some(applicant) = applicant {
                    crate::moderation::bans::check_may_enter(c, community.id, applicant)?;
                }
            }
            let now = crate::time::now();
            let state = if approve {
                MembershipState::Accepted
            } else {
                MembershipState::Rejected
            };
            memberships::decide(
                c,
                row.id,
                state.as_str(),
                Some(moderator.id),
                reason.as_deref(),
                now,
            )?;
            let row = memberships::find_by_id(c, row.id)?
                .ok_or_else(|| Error::internal("membership vanished"))?;
            let decision = Decision {
                approved: approve,
                reason: reason.as_deref(),
                now,
            };
            tell_applicant(c, events, &urls, &community, &row, decision)?;
            Ok(row)
        })
        .await?;
    view::of_row(app, row).await
}

/// What the moderators decided about an application.
struct Decision<'a> {
    approved: bool,
    reason: Option<&'a str>,
    now: chrono::NaiveDateTime,
}

fn tell_applicant(
    c: &mut DbConnection,
    events: &mut Recorder,
    urls: &Urls,
    community: &Community,
    row: &MembershipRow,
    decision: Decision<'_>,
) -> Result<()> {
    let Decision {
        approved,
        reason,
        now,
    } = decision;
    let community_ap_id = urls.community(&community.name);
    if let Some(user_id) = row.user_id {
        if approved {
            welcome::greet(c, events, urls, community, row, now)?;
        } else {
            let message = match reason {
                Some(r) => Message::new("notice-application-declined-reason").arg("reason", r),
                None => Message::new("notice-application-declined"),
            }
            .arg("community", format!("!{}", community.name));
            notify(
                c,
                user_id,
                "application_rejected",
                Some(&community_ap_id),
                &message,
                now,
            )?;
        }
        return Ok(());
    }
    let Some(actor) = row
        .remote_actor_id
        .map(|id| remote_actors::find(c, id))
        .transpose()?
        .flatten()
    else {
        return Ok(());
    };
    let activity_id = row.activity_id.clone().unwrap_or_default();
    if let Some(f) = follows::find_pair(c, &actor.ap_id, &community_ap_id)? {
        if approved {
            follows::settle(c, f.id, "accepted", now)?;
        } else {
            follows::delete(c, f.id)?;
        }
    }
    answer(
        c,
        events,
        &community_ap_id,
        &actor,
        request_kind(row),
        &activity_id,
        approved,
    )?;
    if approved {
        welcome::greet(c, events, urls, community, row, now)?;
    }
    Ok(())
}

/// The owner makes a member a moderator, or a moderator a member again. Moderator changes
/// federate as `Add`/`Remove` on the moderators collection.
pub async fn set_role(
    app: &App,
    user: &User,
    name: &str,
    membership_id: i64,
    role: Role,
) -> Result<MembershipView> {
    if role == Role::Owner {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "a community has one owner; the role is moderator or member",
        ));
    }
    let urls = Urls::new(&app.config);
    let name = name.to_string();
    let owner = user.clone();
    let row = app
        .change(move |c, events| {
            let (community, standing) = community_and_standing(c, &name, Some(&owner))?;
            if standing.role() != Some(Role::Owner) && !standing.admin {
                return Err(Error::new(
                    ErrorCode::Forbidden,
                    "only the owner appoints and removes moderators",
                ));
            }
            let row = memberships::find_by_id(c, membership_id)?
                .filter(|m| {
                    m.community_id == Some(community.id)
                        && m.state == MembershipState::Accepted.as_str()
                })
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such member"))?;
            if row.role == Role::Owner.as_str() {
                return Err(Error::new(
                    ErrorCode::InvalidRequest,
                    "the owner's role does not change",
                ));
            }
            if row.role == role.as_str() {
                return Ok(row);
            }
            let now = crate::time::now();
            memberships::set_role(c, row.id, role.as_str(), now)?;
            let row = memberships::find_by_id(c, row.id)?
                .ok_or_else(|| Error::internal("membership vanished"))?;
            let member = match (row.user_id, row.remote_actor_id) {
                (Some(id), _) => crate::db::users::find(c, id)?.map(|u| urls.person(&u.username)),
                (_, Some(id)) => remote_actors::find(c, id)?.map(|a| a.ap_id),
                _ => None,
            }
            .ok_or_else(|| Error::internal("a moderator with no actor"))?;
            let event = Event::ModeratorChanged {
                community_id: community.id,
                community: urls.community(&community.name),
                by: urls.person(&owner.username),
                member,
                added: role.moderates(),
            };
            events.record(c, event)?;
            Ok(row)
        })
        .await?;
    view::of_row(app, row).await
}

/// A moderator records (`grant`) or withdraws a credential of a member.
pub async fn credential(
    app: &App,
    user: &User,
    name: &str,
    membership_id: i64,
    credential: &str,
    grant: bool,
) -> Result<MembershipView> {
    crate::db::settle_race(|| credential_once(app, user, name, membership_id, credential, grant))
        .await
}

async fn credential_once(
    app: &App,
    user: &User,
    name: &str,
    membership_id: i64,
    credential: &str,
    grant: bool,
) -> Result<MembershipView> {
    let credential = credential.trim().to_string();
    if credential.is_empty() || credential.chars().count() > MAX_CREDENTIAL_CHARS {
        return Err(Error::new(
            ErrorCode::CredentialInvalid,
            format!("a credential is 1 to {MAX_CREDENTIAL_CHARS} characters"),
        ));
    }
    let name = name.to_string();
    let moderator = user.clone();
    let row = app
        .db
        .transaction(move |c| {
            let (community, standing) = community_and_standing(c, &name, Some(&moderator))?;
            must_moderate(&standing)?;
            let row = memberships::find_by_id(c, membership_id)?
                .filter(|m| {
                    m.community_id == Some(community.id)
                        && m.state == MembershipState::Accepted.as_str()
                })
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such member"))?;
            let held = credentials::of_membership(c, row.id)?
                .iter()
                .any(|cr| cr.name == credential);
            if grant && !held {
                credentials::insert(
                    c,
                    row.id,
                    &credential,
                    moderator.id,
                    &moderator.username,
                    crate::time::now(),
                )?;
            } else if !grant {
                credentials::delete(c, row.id, &credential)?;
            }
            Ok(row)
        })
        .await?;
    view::of_row(app, row).await
}
