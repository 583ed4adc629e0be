//! Membership requests that come from other servers: `Join` and `Follow` (as an
//! application) of a local community, `Leave`, and a remote community's answer to a local
//! person's `Join`.

use chrono::NaiveDateTime;

use super::invites;
use super::join::{notify_moderators, store};
use super::model::{
    Answer, JoinPolicy, MAX_ANSWER_CHARS, MembershipState, Question, Role, decode_list, encode_list,
};
use super::welcome;
use crate::app::App;
use crate::communities::Community;
use crate::db::follows::{self, FollowRecord};
use crate::db::memberships::{self, Member, NewMembership, Of};
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, received};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Event, MembershipAnswer, Recorder};
use crate::federation::urls::Urls;

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
    // Someone of a limited server is never admitted without a moderator's approval.
    let limited = app.policy.current().await.is_limited(&actor.domain);
    let community = community.clone();
    let actor = actor.clone();
    app.change(move |c, events| {
        if !received::record(c, &request.activity_id, crate::time::now())? {
            return Ok(());
        }
        crate::moderation::bans::check_may_enter(c, community.id, Member::Remote(actor.id))?;
        let now = crate::time::now();
        let community_ap_id = urls.community(&community.name);
        // The community's Accept or Reject of this very request.
        let reply = |c: &mut DbConnection, events: &mut Recorder, accepted: bool| {
            let (kind, id) = (&request.kind, &request.activity_id);
            answer(c, events, &community_ap_id, &actor, kind, id, accepted)
        };
        let existing = memberships::find(c, Of::Local(community.id), Member::Remote(actor.id))?;
        if existing
            .as_ref()
            .is_some_and(|m| m.state == MembershipState::Accepted.as_str())
        {
            // Already a member: a repeated request is answered again, so the other
            // side settles too.
            reply(c, events, true)?;
            return Ok(());
        }
        let invite = match request.invite.as_deref() {
            Some(code) => invites::redeem(c, community.id, code, &actor.ap_id, now).ok(),
            None => None,
        };
        let eligible = invite.is_some() || community.join_policy() == JoinPolicy::Open;
        let admit = eligible && !limited;
        // A Join of an invite-only community without a valid invite is refused as a
        // local one would be. A Follow (which cannot carry an invite) waits for the
        // moderators instead, who may admit people they know.
        if !eligible && community.join_policy() == JoinPolicy::Invite && request.kind == "Join" {
            reply(c, events, false)?;
            return Ok(());
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
            reply(c, events, true)?;
            welcome::greet(c, events, &urls, &community, &row, now)?;
        } else {
            let handle = format!("@{}@{}", actor.username, actor.domain);
            notify_moderators(c, &community, &community_ap_id, &handle, now)?;
        }
        Ok(())
    })
    .await
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

/// Records the community's answer (accepted or not) to a remote request.
pub(crate) fn answer(
    c: &mut DbConnection,
    events: &mut Recorder,
    community_ap_id: &str,
    actor: &CachedActor,
    kind: &str,
    activity_id: &str,
    accepted: bool,
) -> Result<()> {
    let answer = MembershipAnswer {
        community: community_ap_id.to_string(),
        applicant: actor.ap_id.clone(),
        inbox: actor.inbox.clone(),
        request_kind: kind.to_string(),
        request: activity_id.to_string(),
        accepted,
    };
    events.record(c, Event::MembershipAnswered(answer))
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
            let key = if accepted {
                "notice-request-accepted"
            } else {
                "notice-request-declined"
            };
            let message = crate::i18n::Message::new(key).arg(
                "community",
                format!("!{}@{}", community.username, community.domain),
            );
            crate::accounts::notify(
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
