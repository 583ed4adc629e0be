//! Joining and leaving: local people joining communities here or elsewhere, and remote
//! people's `Join`, `Follow` (as an application) and `Leave` arriving for communities here.

use chrono::NaiveDateTime;

use super::invites;
use super::model::{
    Answer, JoinPolicy, MAX_ANSWER_CHARS, MembershipState, Question, Role, decode_list, encode_list,
};
use super::view::{self, MembershipView};
use super::welcome;
use crate::accounts::User;
use crate::app::App;
use crate::communities::Community;
use crate::db::follows::{self, FollowRecord};
use crate::db::memberships::{self, Member, MembershipRow, NewMembership, Of};
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, communities, received};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::activities::ids::new_activity_id;
use crate::federation::activities::membership::{
    answer_activity, join_activity, leave_activity, request_activity,
};
use crate::federation::delivery;
use crate::federation::publish::Venue;
use crate::federation::urls::Urls;

/// What a person gives when joining.
#[derive(Debug, Clone, Default)]
pub struct JoinInput {
    /// Answers to the community's questions, in their order.
    pub answers: Vec<String>,
    /// The person accepts the community's rules.
    pub accept_rules: bool,
    pub invite: Option<String>,
}

/// A request to join that came from another server.
#[derive(Debug, Clone)]
pub struct RemoteRequest {
    /// `Join` or `Follow`: the answer embeds a request of the same kind.
    pub kind: String,
    pub activity_id: String,
    /// None when the applicant's server cannot send answers.
    pub answers: Option<Vec<Answer>>,
    pub rules_accepted: bool,
    pub invite: Option<String>,
}

/// `user` joins (or applies to) the community named `community` (local name, handle or URL).
pub async fn join(
    app: &App,
    user: &User,
    community: &str,
    input: JoinInput,
) -> Result<MembershipView> {
    match crate::discussions::venue(app, community).await? {
        Venue::Local { id, .. } => join_local(app, user, id, input).await,
        Venue::Remote(actor) => join_remote(app, user, &actor, input).await,
    }
}

async fn join_local(
    app: &App,
    user: &User,
    community_id: i64,
    input: JoinInput,
) -> Result<MembershipView> {
    let urls = Urls::new(&app.config);
    let user_id = user.id;
    let member_ap_id = urls.person(&user.username);
    let username = user.username.clone();
    let domain = app.config.domain.clone();
    let row = app
        .db
        .transaction(move |c| {
            let community = communities::find(c, community_id)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
            let existing = memberships::find(c, Of::Local(community_id), Member::Local(user_id))?;
            refuse_repeat(existing.as_ref())?;
            let now = crate::time::now();
            let questions: Vec<Question> = decode_list(&community.questions)?;
            let rules: Vec<String> = decode_list(&community.rules)?;
            if !rules.is_empty() && !input.accept_rules {
                return Err(Error::new(
                    ErrorCode::RulesNotAccepted,
                    "this community asks its members to accept its rules",
                ));
            }
            let invite = match input.invite.as_deref().filter(|s| !s.is_empty()) {
                Some(code) => Some(invites::redeem(c, community_id, code, &member_ap_id, now)?),
                None => None,
            };
            let (state, answers, via) = match (community.join_policy(), invite) {
                (_, Some(_)) => (MembershipState::Accepted, None, "invite"),
                (JoinPolicy::Open, None) => (MembershipState::Accepted, None, "api"),
                (JoinPolicy::Invite, None) => {
                    return Err(Error::new(
                        ErrorCode::InviteRequired,
                        "this community is joined by invitation only",
                    ));
                }
                (JoinPolicy::Approval, None) => (
                    MembershipState::Pending,
                    Some(check_answers(&questions, &input.answers)?),
                    "api",
                ),
            };
            let new = NewMembership {
                community_id: Some(community_id),
                remote_community_id: None,
                user_id: Some(user_id),
                remote_actor_id: None,
                role: Role::Member.as_str().into(),
                state: state.as_str().into(),
                answers: answers.as_deref().map(encode_list).transpose()?,
                rules_accepted_at: input.accept_rules.then_some(now),
                via: via.into(),
                invite_id: invite,
                activity_id: None,
                joined_at: (state == MembershipState::Accepted).then_some(now),
                created_at: now,
                updated_at: now,
            };
            let row = store(c, existing, &new)?;
            if state == MembershipState::Accepted {
                welcome::greet(c, &urls, &community, &row, now)?;
            } else {
                let handle = format!("@{username}@{domain}");
                let community_ap_id = urls.community(&community.name);
                notify_moderators(c, &community, &community_ap_id, &handle, now)?;
            }
            Ok(row)
        })
        .await?;
    delivery::wake(app);
    view::of_row(app, row).await
}

/// Answers must cover every required question, each within the size limit.
fn check_answers(questions: &[Question], answers: &[String]) -> Result<Vec<Answer>> {
    if answers.len() > questions.len() {
        return Err(Error::new(
            ErrorCode::AnswerInvalid,
            format!("this community asks {} questions", questions.len()),
        ));
    }
    let mut out = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let answer = answers.get(i).map(|a| a.trim()).unwrap_or_default();
        if answer.is_empty() && q.required {
            return Err(Error::new(
                ErrorCode::AnswersRequired,
                format!("question {} must be answered: {}", i + 1, q.question),
            ));
        }
        if answer.chars().count() > MAX_ANSWER_CHARS {
            return Err(Error::new(
                ErrorCode::AnswerInvalid,
                format!("an answer is at most {MAX_ANSWER_CHARS} characters"),
            ));
        }
        out.push(Answer {
            question: q.question.clone(),
            answer: answer.to_string(),
        });
    }
    Ok(out)
}

fn refuse_repeat(existing: Option<&MembershipRow>) -> Result<()> {
    match existing.map(|m| m.state.as_str()) {
        Some("accepted") => Err(Error::new(
            ErrorCode::AlreadyMember,
            "you are already a member of this community",
        )),
        Some("pending") => Err(Error::new(
            ErrorCode::ApplicationPending,
            "your application is waiting for the moderators",
        )),
        _ => Ok(()),
    }
}

/// Inserts the membership, or renews a rejected one in place.
fn store(
    c: &mut DbConnection,
    existing: Option<MembershipRow>,
    new: &NewMembership,
) -> Result<MembershipRow> {
    Ok(match existing {
        Some(old) => memberships::renew(c, old.id, new)?,
        None => memberships::insert(c, new)?,
    })
}

/// A local person joins a community on another server: a `Join` with the answers goes to
/// it, and the membership waits for its answer. The community's questions are not known
/// here, so the answers are sent as given, labelled by position.
async fn join_remote(
    app: &App,
    user: &User,
    community: &CachedActor,
    input: JoinInput,
) -> Result<MembershipView> {
    let urls = Urls::new(&app.config);
    let member = urls.person(&user.username);
    let activity_id = new_activity_id(&urls, "join");
    let answers: Vec<Answer> = input
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| Answer {
            question: format!("{}", i + 1),
            answer: a.trim().chars().take(MAX_ANSWER_CHARS).collect(),
        })
        .collect();
    let join = join_activity(
        &activity_id,
        &member,
        &community.ap_id,
        &answers,
        input.accept_rules,
        input.invite.as_deref(),
    );
    let user_id = user.id;
    let remote_id = community.id;
    let inbox = community.inbox.clone();
    let row = app
        .db
        .transaction(move |c| {
            let existing = memberships::find(c, Of::Remote(remote_id), Member::Local(user_id))?;
            refuse_repeat(existing.as_ref())?;
            let now = crate::time::now();
            let new = NewMembership {
                community_id: None,
                remote_community_id: Some(remote_id),
                user_id: Some(user_id),
                remote_actor_id: None,
                role: Role::Member.as_str().into(),
                state: MembershipState::Pending.as_str().into(),
                answers: Some(encode_list(&answers)?),
                rules_accepted_at: input.accept_rules.then_some(now),
                via: "join".into(),
                invite_id: None,
                activity_id: Some(activity_id),
                joined_at: None,
                created_at: now,
                updated_at: now,
            };
            let row = store(c, existing, &new)?;
            delivery::enqueue(c, &join, &member, &[inbox])?;
            Ok(row)
        })
        .await?;
    delivery::wake(app);
    view::of_row(app, row).await
}

/// The communities `user` belongs or applied to, here and elsewhere.
pub async fn mine(app: &App, user: &User) -> Result<Vec<MembershipView>> {
    let urls = Urls::new(&app.config);
    let domain = app.config.domain.clone();
    let user_id = user.id;
    app.db
        .run(move |c| {
            memberships::of_user(c, user_id)?
                .iter()
                .map(|row| view::build(c, &urls, &domain, row))
                .collect()
        })
        .await
}

/// `user` leaves a community (or withdraws an application).
pub async fn leave(app: &App, user: &User, community: &str) -> Result<()> {
    let urls = Urls::new(&app.config);
    let venue = crate::discussions::venue(app, community).await?;
    let user_id = user.id;
    let member = urls.person(&user.username);
    app.db
        .transaction(move |c| {
            let of = match &venue {
                Venue::Local { id, .. } => Of::Local(*id),
                Venue::Remote(actor) => Of::Remote(actor.id),
            };
            let row = memberships::find(c, of, Member::Local(user_id))?
                .filter(|m| m.state != MembershipState::Rejected.as_str())
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::NotAMember,
                        "you are not a member of this community",
                    )
                })?;
            if row.role == Role::Owner.as_str() {
                return Err(Error::new(
                    ErrorCode::OwnerCannotLeave,
                    "the owner cannot leave; hand the community to another moderator first",
                ));
            }
            memberships::delete(c, row.id)?;
            if let Venue::Remote(actor) = &venue {
                let leave = leave_activity(&new_activity_id(&urls, "leave"), &member, &actor.ap_id);
                delivery::enqueue(c, &leave, &member, std::slice::from_ref(&actor.inbox))?;
                // Leaving also stops the follow a Join started.
                if let Some(f) = follows::find_pair(c, &member, &actor.ap_id)? {
                    follows::delete(c, f.id)?;
                }
            }
            Ok(())
        })
        .await?;
    delivery::wake(app);
    Ok(())
}

/// A remote person asks to join a local community (by `Join`, or by `Follow` where
/// followers are approved by hand). Open communities, and valid invites, admit at once;
/// otherwise the request waits for the moderators.
pub async fn receive_request(
    app: &App,
    community: &Community,
    actor: &CachedActor,
    request: RemoteRequest,
) -> Result<()> {
    let urls = Urls::new(&app.config);
    let community = community.clone();
    let actor = actor.clone();
    let applied = app
        .db
        .transaction(move |c| {
            if !received::record(c, &request.activity_id, crate::time::now())? {
                return Ok(false);
            }
            let now = crate::time::now();
            let community_ap_id = urls.community(&community.name);
            let existing = memberships::find(c, Of::Local(community.id), Member::Remote(actor.id))?;
            if existing
                .as_ref()
                .is_some_and(|m| m.state == MembershipState::Accepted.as_str())
            {
                // Already a member: a repeated request is answered again, so the other
                // side settles too.
                answer(
                    c,
                    &urls,
                    &community_ap_id,
                    &actor,
                    &request.kind,
                    &request.activity_id,
                    true,
                )?;
                return Ok(true);
            }
            let invite = match request.invite.as_deref() {
                Some(code) => invites::redeem(c, community.id, code, &actor.ap_id, now).ok(),
                None => None,
            };
            let admit = invite.is_some() || community.join_policy() == JoinPolicy::Open;
            // A Join of an invite-only community without a valid invite is refused as a
            // local one would be. A Follow (which cannot carry an invite) waits for the
            // moderators instead, who may admit people they know.
            if !admit && community.join_policy() == JoinPolicy::Invite && request.kind == "Join" {
                answer(
                    c,
                    &urls,
                    &community_ap_id,
                    &actor,
                    &request.kind,
                    &request.activity_id,
                    false,
                )?;
                return Ok(true);
            }
            let questions: Vec<Question> = decode_list(&community.questions)?;
            let answers = request
                .answers
                .as_ref()
                .map(|a| sanitize_answers(a, &questions))
                .map(|a| encode_list(&a))
                .transpose()?;
            let new = NewMembership {
                community_id: Some(community.id),
                remote_community_id: None,
                user_id: None,
                remote_actor_id: Some(actor.id),
                role: Role::Member.as_str().into(),
                state: if admit {
                    MembershipState::Accepted
                } else {
                    MembershipState::Pending
                }
                .as_str()
                .into(),
                answers,
                rules_accepted_at: request.rules_accepted.then_some(now),
                via: if invite.is_some() {
                    "invite".into()
                } else {
                    request.kind.to_ascii_lowercase()
                },
                invite_id: invite,
                activity_id: Some(request.activity_id.clone()),
                joined_at: admit.then_some(now),
                created_at: now,
                updated_at: now,
            };
            let row = store(c, existing, &new)?;
            record_follow(
                c,
                &community,
                &community_ap_id,
                &actor,
                &request.activity_id,
                if admit { "accepted" } else { "pending" },
                now,
            )?;
            if admit {
                answer(
                    c,
                    &urls,
                    &community_ap_id,
                    &actor,
                    &request.kind,
                    &request.activity_id,
                    true,
                )?;
                welcome::greet(c, &urls, &community, &row, now)?;
            } else {
                let handle = format!("@{}@{}", actor.username, actor.domain);
                notify_moderators(c, &community, &community_ap_id, &handle, now)?;
            }
            Ok(true)
        })
        .await?;
    if applied {
        delivery::wake(app);
    }
    Ok(())
}

/// Keeps at most five answers, each cut to size (the remote side is not trusted to), and
/// shows each beside this community's own question of the same position: the applicant's
/// server may not know the questions' wording.
fn sanitize_answers(answers: &[Answer], questions: &[Question]) -> Vec<Answer> {
    answers
        .iter()
        .take(super::model::MAX_QUESTIONS)
        .enumerate()
        .map(|(i, a)| Answer {
            question: questions.get(i).map_or_else(
                || {
                    a.question
                        .chars()
                        .take(super::model::MAX_QUESTION_CHARS)
                        .collect()
                },
                |q| q.question.clone(),
            ),
            answer: a.answer.chars().take(MAX_ANSWER_CHARS).collect(),
        })
        .collect()
}

/// A remote member is also a follower, so public posts reach their server as well.
fn record_follow(
    c: &mut DbConnection,
    community: &Community,
    community_ap_id: &str,
    actor: &CachedActor,
    activity_id: &str,
    state: &str,
    now: NaiveDateTime,
) -> Result<()> {
    follows::upsert(
        c,
        &FollowRecord {
            follower_ap_id: actor.ap_id.clone(),
            target_ap_id: community_ap_id.to_string(),
            follower_user_id: None,
            follower_remote_id: Some(actor.id),
            target_community_id: Some(community.id),
            target_user_id: None,
            target_remote_id: None,
            state: state.into(),
            activity_id: activity_id.to_string(),
            attempts: 0,
            next_attempt_at: None,
            updated_at: now,
        },
    )?;
    Ok(())
}

/// Queues the community's `Accept` or `Reject` of a remote request.
pub(crate) fn answer(
    c: &mut DbConnection,
    urls: &Urls,
    community_ap_id: &str,
    actor: &CachedActor,
    kind: &str,
    activity_id: &str,
    accepted: bool,
) -> Result<()> {
    let request = request_activity(kind, activity_id, &actor.ap_id, community_ap_id);
    let id = new_activity_id(urls, if accepted { "accept" } else { "reject" });
    let activity = answer_activity(&id, accepted, community_ap_id, &request);
    delivery::enqueue(
        c,
        &activity,
        community_ap_id,
        std::slice::from_ref(&actor.inbox),
    )?;
    Ok(())
}

/// Tells each moderator of `community` that `applicant` (a handle) applied.
fn notify_moderators(
    c: &mut DbConnection,
    community: &Community,
    community_ap_id: &str,
    applicant: &str,
    now: NaiveDateTime,
) -> Result<()> {
    let message = format!("{applicant} applied to join !{}", community.name);
    for moderator in memberships::moderator_ids(c, community.id)? {
        crate::db::notifications::insert(
            c,
            moderator,
            "application",
            Some(community_ap_id),
            &message,
            now,
        )?;
    }
    Ok(())
}

/// A remote member leaves a local community: the membership and the follow end.
pub async fn receive_leave(
    app: &App,
    community: &Community,
    actor: &CachedActor,
    activity_id: &str,
) -> Result<()> {
    let urls = Urls::new(&app.config);
    let community_ap_id = urls.community(&community.name);
    let community_id = community.id;
    let actor = actor.clone();
    let activity_id = activity_id.to_string();
    app.db
        .transaction(move |c| {
            if !received::record(c, &activity_id, crate::time::now())? {
                return Ok(());
            }
            end_remote_membership(c, community_id, &community_ap_id, &actor)
        })
        .await
}

/// Ends a remote person's membership and follow of a local community (a `Leave`, or an
/// `Undo` of the `Follow` that made them a member).
pub(crate) fn end_remote_membership(
    c: &mut DbConnection,
    community_id: i64,
    community_ap_id: &str,
    actor: &CachedActor,
) -> Result<()> {
    if let Some(m) = memberships::find(c, Of::Local(community_id), Member::Remote(actor.id))?
        && m.role != Role::Owner.as_str()
    {
        memberships::delete(c, m.id)?;
    }
    if let Some(f) = follows::find_pair(c, &actor.ap_id, community_ap_id)? {
        follows::delete(c, f.id)?;
    }
    Ok(())
}

/// A remote community answered a local person's `Join`.
pub async fn receive_answer(
    app: &App,
    community: &CachedActor,
    member_ap_id: &str,
    accepted: bool,
    activity_id: &str,
) -> Result<()> {
    let urls = Urls::new(&app.config);
    let Some(username) = member_ap_id
        .strip_prefix(&format!("{}/u/", urls.base()))
        .map(str::to_string)
    else {
        return Err(Error::new(
            ErrorCode::ActivityInvalid,
            "the answered Join is not from a person here",
        ));
    };
    let community = community.clone();
    let member_ap_id = member_ap_id.to_string();
    let activity_id = activity_id.to_string();
    app.db
        .transaction(move |c| {
            let now = crate::time::now();
            if !received::record(c, &activity_id, now)? {
                return Ok(());
            }
            let Some(user) = crate::db::users::find_by_username(c, &username)? else {
                return Ok(());
            };
            let Some(row) = memberships::find(c, Of::Remote(community.id), Member::Local(user.id))?
            else {
                tracing::debug!(community = community.ap_id, "an answer to no Join of ours");
                return Ok(());
            };
            let state = if accepted { "accepted" } else { "rejected" };
            memberships::decide(c, row.id, state, None, None, now)?;
            // An accepted Join also made us a follower there: public posts will come.
            if accepted {
                follows::upsert(
                    c,
                    &FollowRecord {
                        follower_ap_id: member_ap_id.clone(),
                        target_ap_id: community.ap_id.clone(),
                        follower_user_id: Some(user.id),
                        follower_remote_id: None,
                        target_community_id: None,
                        target_user_id: None,
                        target_remote_id: Some(community.id),
                        state: "accepted".into(),
                        activity_id: row.activity_id.clone().unwrap_or_default(),
                        attempts: 0,
                        next_attempt_at: None,
                        updated_at: now,
                    },
                )?;
            }
            let message = if accepted {
                format!(
                    "Your request to join @{}@{} was accepted",
                    community.username, community.domain
                )
            } else {
                format!(
                    "Your request to join @{}@{} was declined",
                    community.username, community.domain
                )
            };
            crate::db::notifications::insert(
                c,
                user.id,
                if accepted {
                    "application_accepted"
                } else {
                    "application_rejected"
                },
                Some(&community.ap_id),
                &message,
                now,
            )?;
            Ok(())
        })
        .await
}

/// The request kind of a stored membership, for rebuilding the answer.
pub(crate) fn request_kind(row: &MembershipRow) -> &'static str {
    match row.via.as_str() {
        "follow" => "Follow",
        _ => "Join",
    }
}

/// Reads a JSON column of answers for a view.
pub(crate) fn answers_of(row: &MembershipRow) -> Result<Option<Vec<Answer>>> {
    row.answers.as_deref().map(decode_list).transpose()
}
