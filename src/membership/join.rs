//! Joining and leaving, for local people: communities here or elsewhere.

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
use crate::communities::Venue;
use crate::db::follows;
use crate::db::memberships::{self, Member, MembershipRow, NewMembership, Of};
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, communities};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
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

/// `user` joins (or applies to) the community named `community` (local name, handle or URL).
pub async fn join(
    app: &App,
    user: &User,
    community: &str,
    input: JoinInput,
) -> Result<MembershipView> {
    match crate::discussions::venue(app, community).await? {
        Venue::Local { id, .. } => {
            crate::db::settle_race(|| join_local(app, user, id, input.clone())).await
        }
        Venue::Remote(actor) => {
            crate::db::settle_race(|| join_remote(app, user, &actor, input.clone())).await
        }
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
        .change(move |c, events| {
            let community = communities::find(c, community_id)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
            crate::moderation::bans::check_may_enter(c, community_id, Member::Local(user_id))?;
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
                welcome::greet(c, events, &urls, &community, &row, now)?;
            } else {
                let handle = format!("@{username}@{domain}");
                let community_ap_id = urls.community(&community.name);
                notify_moderators(c, &community, &community_ap_id, &handle, now)?;
            }
            Ok(row)
        })
        .await?;
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
pub(super) fn store(
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
    let activity_id = urls.new_activity_id("join");
    let answers: Vec<Answer> = input
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| Answer {
            question: format!("{}", i + 1),
            answer: a.trim().chars().take(MAX_ANSWER_CHARS).collect(),
        })
        .collect();
    let user_id = user.id;
    let remote_id = community.id;
    let join = Event::JoinSent {
        member,
        community: community.ap_id.clone(),
        inbox: community.inbox.clone(),
        activity: activity_id.clone(),
        answers: answers.clone(),
        rules_accepted: input.accept_rules,
        invite: input.invite.clone(),
    };
    let row = app
        .change(move |c, events| {
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
            events.record(c, join)?;
            Ok(row)
        })
        .await?;
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
    app.change(move |c, events| {
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
            let left = Event::LeftRemote {
                member: member.clone(),
                community: actor.ap_id.clone(),
                inbox: actor.inbox.clone(),
            };
            events.record(c, left)?;
            // Leaving also stops the follow a Join started.
            if let Some(f) = follows::find_pair(c, &member, &actor.ap_id)? {
                follows::delete(c, f.id)?;
            }
        }
        Ok(())
    })
    .await
}

/// Tells each moderator of `community` that `applicant` (a handle) applied.
pub(super) fn notify_moderators(
    c: &mut DbConnection,
    community: &Community,
    community_ap_id: &str,
    applicant: &str,
    now: NaiveDateTime,
) -> Result<()> {
    let message = crate::i18n::Message::new("notice-application")
        .arg("person", applicant)
        .arg("community", format!("!{}", community.name));
    for moderator in memberships::moderator_ids(c, community.id)? {
        crate::accounts::notify(
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
