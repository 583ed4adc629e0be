//! Join, Leave and the answers to them; the membership extension copse adds to `Join`.
//!
//! Mobilizon joins groups with `Join` and leaves with `Leave`; copse does the same between
//! copse servers and adds the application to the `Join`: the answers to the community's
//! questions (`answers`, a list of `{question, answer}`), whether the rules were accepted
//! (`rulesAccepted`), and an invite code (`invite`), in the `urn:copse:ns#` vocabulary. A
//! `Follow` of a community that approves members by hand is an application without answers
//! (Lemmy, Mastodon). The community answers either with `Accept` or `Reject` of the request
//! as it came.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::db::received;
use crate::db::remote_actors::CachedActor;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::{self, LocalActor};
use crate::federation::protocol::envelope::{Envelope, Named};
use crate::membership::{self, Answer, RemoteRequest};

use crate::federation::protocol::AS_CONTEXT;
use crate::federation::protocol::activities::{
    Accept, Activity, ActivityKind, Addressing, ApplicationAnswer, Follow, Invite, Join, Leave,
    ObjectRef, Reject,
};
use crate::federation::protocol::outgoing::to_json;

/// The `@context` of a `Join` carrying an application.
pub fn join_context() -> Value {
    json!([
        AS_CONTEXT,
        {
            "copse": "urn:copse:ns#",
            "answers": "copse:answers",
            "question": "copse:question",
            "answer": "copse:answer",
            "rulesAccepted": "copse:rulesAccepted",
            "invite": "copse:invite"
        }
    ])
}

/// A `Join` of `community` by `actor`, with the application.
pub fn join_activity(
    id: &str,
    actor: &str,
    community: &str,
    answers: &[Answer],
    rules_accepted: bool,
    invite: Option<&str>,
) -> Join {
    Join {
        context: Some(join_context()),
        answers: Some(
            answers
                .iter()
                .map(|a| ApplicationAnswer {
                    question: a.question.clone(),
                    answer: a.answer.clone(),
                })
                .collect(),
        ),
        rules_accepted: Some(rules_accepted),
        invite: invite.map(str::to_string),
        ..Join::new(id, actor, community)
    }
    .addressed(Addressing::to(&[community]))
}

/// An `Invite` of `invitee` to `community` by the moderator `actor` (Mobilizon's shape),
/// with the invite code to give back in the `Join`.
pub fn invite_activity(
    id: &str,
    actor: &str,
    community: &str,
    invitee: &str,
    code: &str,
) -> Invite {
    Invite {
        context: Some(join_context()),
        target: Some(invitee.into()),
        invite: Some(code.to_string()),
        ..Invite::new(id, actor, community)
    }
    .addressed(Addressing::to(&[invitee]))
}

/// A `Leave` of `community` by `actor`.
pub fn leave_activity(id: &str, actor: &str, community: &str) -> Leave {
    Leave::new(id, actor, community).addressed(Addressing::to(&[community]))
}

/// The request as it came (a `Join`, or a `Follow` of a community that approves members),
/// rebuilt from what was stored, to embed in the answer: Mastodon and Lemmy match an answer
/// by the request's id and its actor and object.
pub fn request_activity(kind: &str, id: &str, actor: &str, community: &str) -> Result<ObjectRef> {
    if ActivityKind::from_type(kind) == Some(ActivityKind::Join) {
        ObjectRef::embed(&Join::new(id, actor, community).without_context())
    } else {
        ObjectRef::embed(&Follow::new(id, actor, community).without_context())
    }
}

/// `Accept` or `Reject` of the request `applicant` made, by the community.
pub fn answer_activity(
    answer_id: &str,
    accepted: bool,
    community: &str,
    applicant: &str,
    request: ObjectRef,
) -> Result<Value> {
    let to = Addressing::to(&[applicant]);
    if accepted {
        to_json(&Accept::new(answer_id, community, request).addressed(to))
    } else {
        to_json(&Reject::new(answer_id, community, request).addressed(to))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Application {
    #[serde(default)]
    answers: Option<Vec<Answer>>,
    #[serde(default)]
    rules_accepted: Option<bool>,
    #[serde(default)]
    invite: Option<String>,
}

/// A remote actor asks to join a local community.
pub async fn receive_join(app: &App, env: &Envelope, actor: &CachedActor) -> Result<()> {
    let community = local_community(app, env).await?;
    crate::federation::policy::doors::community(app, community.id, &actor.domain).await?;
    // Unknown shapes in the extension are ignored, not refused: the Join still stands.
    let application: Application =
        serde_json::from_value(env.json.clone()).unwrap_or(Application {
            answers: None,
            rules_accepted: None,
            invite: None,
        });
    membership::receive_request(
        app,
        &community,
        actor,
        RemoteRequest {
            kind: "Join".into(),
            activity_id: env.id.to_string(),
            answers: application.answers,
            rules_accepted: application.rules_accepted.unwrap_or(false),
            invite: application.invite,
        },
    )
    .await
}

/// A remote member leaves a local community.
pub async fn receive_leave(app: &App, env: &Envelope, actor: &CachedActor) -> Result<()> {
    let community = local_community(app, env).await?;
    membership::receive_leave(app, &community, actor, env.id.as_str()).await
}

/// A remote community answered a local person's `Join`.
pub async fn receive_answer(
    app: &App,
    env: &Envelope,
    community: &CachedActor,
    accepted: bool,
) -> Result<()> {
    let request = Named::of(
        env.object()
            .ok_or_else(|| invalid("an answer must name the request"))?,
    );
    let member = request
        .actor
        .as_deref()
        .ok_or_else(|| invalid("the answered Join must name its actor"))?;
    if let Some(object) = &request.object
        && *object != community.ap_id
    {
        return Err(Error::new(
            ErrorCode::SignerNotActor,
            "only the community joined can answer a Join",
        ));
    }
    membership::receive_answer(app, community, member, accepted, env.id.as_str()).await
}

/// A moderator elsewhere invites a local person to their community: the person is told,
/// with the code to join by. Only an actor of the community's own server may invite to it.
pub async fn receive_invite(app: &App, env: &Envelope, actor: &CachedActor) -> Result<()> {
    let community = env
        .object_id()
        .ok_or_else(|| invalid("an Invite must name the community"))?;
    if crate::federation::protocol::envelope::authority(&community) != actor.domain {
        return Err(Error::new(
            ErrorCode::ActivityOriginMismatch,
            "only someone of the community's server can invite to it",
        ));
    }
    let invitee = Named::of(&env.json)
        .target
        .ok_or_else(|| invalid("an Invite must name whom it invites"))?;
    let Some(LocalActor::Person(user)) = local::find(app, &invitee).await? else {
        return Err(Error::new(
            ErrorCode::NotFound,
            "the invited person is not here",
        ));
    };
    let code = serde_json::from_value::<Application>(env.json.clone())
        .ok()
        .and_then(|a| a.invite)
        .map(|c| c.chars().take(64).collect::<String>());
    let inviter = format!("@{}@{}", actor.username, actor.domain);
    let message = match &code {
        Some(code) => crate::i18n::Message::new("notice-invite-code").arg("code", code.clone()),
        None => crate::i18n::Message::new("notice-invite"),
    }
    .arg("person", inviter)
    .arg("community", community.to_string());
    let id = env.id.to_string();
    let community = community.to_string();
    app.db
        .transaction(move |c| {
            let now = crate::time::now();
            if received::record(c, &id, now)? {
                crate::accounts::notify(c, user.id, "invite", Some(&community), &message, now)?;
            }
            Ok(())
        })
        .await
}

async fn local_community(app: &App, env: &Envelope) -> Result<crate::communities::Community> {
    let target = env
        .object_id()
        .ok_or_else(|| invalid("a Join or Leave must name the community"))?;
    match local::find(app, target.as_str()).await? {
        Some(LocalActor::Community(c)) => Ok(c),
        _ => Err(Error::new(
            ErrorCode::NotFound,
            format!("{target} is not a community here"),
        )),
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::ActivityInvalid, message)
}
