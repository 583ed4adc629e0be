//! Follow, and the Accept, Reject and Undo that answer or end one.
//!
//! Incoming: a remote actor follows a local community or person (accepted at once unless
//! the community approves followers by hand), or undoes that follow; a remote actor accepts
//! or rejects a follow a local user sent it. Answers are matched by the pair of actors, not
//! by the Follow's id: servers differ in whether they embed the Follow or only name it, and
//! copse re-sends pending follows with new ids.
//!
//! Outgoing: the activities for a local user's follow and unfollow, and the Accept copse
//! sends for a follow of a local actor.

use serde_json::Value;

use crate::app::App;
use crate::db::follows::{self, FollowRecord};
use crate::db::memberships::Member;
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, received};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::{self, LocalActor};
use crate::federation::protocol::envelope::{Envelope, Named};
use crate::federation::urls::Urls;

use crate::federation::protocol::activities::{
    Accept, Activity, Addressing, Follow, ObjectRef, Reject, Undo,
};
use crate::federation::protocol::outgoing::to_json;

/// `Follow` of `object` by `actor`.
pub fn follow_activity(id: &str, actor: &str, object: &str) -> Follow {
    Follow::new(id, actor, object).addressed(Addressing::to(&[object]))
}

/// `Undo` of a `Follow`, carrying the Follow itself so the receiver need not look it up.
pub fn undo_follow_activity(id: &str, actor: &str, follow: &Follow) -> Result<Undo> {
    let to = Addressing::to(&follow.object.ids());
    let follow = ObjectRef::embed(&follow.clone().without_context())?;
    Ok(Undo::new(id, actor, follow).addressed(to))
}

/// `Accept` (or, when `accepted` is false, `Reject`) of a received `Follow`, embedding it
/// as Mastodon and Lemmy expect.
pub fn answer_activity(accepted: bool, id: &str, actor: &str, follow: &Follow) -> Result<Value> {
    let to = Addressing::to(&[&follow.actor.id]);
    let follow = ObjectRef::embed(&follow.clone().without_context())?;
    if accepted {
        to_json(&Accept::new(id, actor, follow).addressed(to))
    } else {
        to_json(&Reject::new(id, actor, follow).addressed(to))
    }
}

/// A remote actor follows a local community or person.
pub async fn receive_follow(app: &App, env: &Envelope, follower: &CachedActor) -> Result<()> {
    let target_id = env
        .object_id()
        .ok_or_else(|| invalid("a Follow must name what it follows"))?;
    let target = local::find(app, target_id.as_str()).await?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("{target_id} is not a local actor"),
        )
    })?;
    let urls = Urls::new(&app.config);
    if let LocalActor::Community(c) = &target {
        crate::federation::policy::doors::community(app, c.id, &follower.domain).await?;
        // Someone banned from the community does not come back by following it.
        let (community_id, member) = (c.id, Member::Remote(follower.id));
        app.db
            .run(move |c| crate::moderation::bans::check_may_enter(c, community_id, member))
            .await?;
    }
    // A limited server's follows wait for approval, whatever the target's settings.
    let limited = app.policy.current().await.is_limited(&follower.domain);
    // Where members are approved by hand, a follow is an application to join: it waits
    // for the moderators with the other applications (so does one from a limited server).
    if let LocalActor::Community(c) = &target
        && (c.manually_approves_followers() || limited)
    {
        return crate::membership::receive_request(
            app,
            c,
            follower,
            crate::membership::RemoteRequest {
                kind: "Follow".into(),
                activity_id: env.id.to_string(),
                answers: None,
                rules_accepted: false,
                invite: None,
            },
        )
        .await;
    }
    let (community_id, user_id, approves_by_hand) = match &target {
        LocalActor::Community(c) => (Some(c.id), None, c.manually_approves_followers()),
        LocalActor::Person(u) => (None, Some(u.id), limited),
        LocalActor::Instance => return Err(invalid("the instance actor cannot be followed")),
    };
    let target_ap_id = target.ap_id(&urls);
    let state = if approves_by_hand {
        "pending"
    } else {
        "accepted"
    };
    let now = crate::time::now();
    let record = FollowRecord {
        follower_ap_id: follower.ap_id.clone(),
        target_ap_id: target_ap_id.clone(),
        follower_user_id: None,
        follower_remote_id: Some(follower.id),
        target_community_id: community_id,
        target_user_id: user_id,
        target_remote_id: None,
        state: state.into(),
        activity_id: env.id.to_string(),
        attempts: 0,
        next_attempt_at: None,
        updated_at: now,
    };
    let accept = (!approves_by_hand).then(|| {
        crate::events::Event::FollowAnswered(crate::events::FollowAnswer {
            follow: env.id.to_string(),
            follower: follower.ap_id.clone(),
            target: target_ap_id.clone(),
            inbox: follower.inbox.clone(),
            accepted: true,
        })
    });
    let handle = format!("@{}@{}", follower.username, follower.domain);
    let activity_id = env.id.to_string();
    app.change(move |c, events| {
        if !received::record(c, &activity_id, now)? {
            return Ok(());
        }
        // A follower that asks again while waiting is not announced twice.
        let already_waiting = follows::find_pair(c, &record.follower_ap_id, &target_ap_id)?
            .is_some_and(|r| r.state == "pending");
        follows::upsert(c, &record)?;
        if let Some(accept) = accept {
            events.record(c, accept)?;
        }
        if let (Some(user_id), true) = (user_id, approves_by_hand && !already_waiting) {
            let message = crate::i18n::Message::new("notice-follow-request").arg("person", handle);
            crate::accounts::notify(c, user_id, "follow_request", None, &message, now)?;
        }
        Ok(())
    })
    .await
}

/// A remote actor undoes its follow of a local actor.
pub async fn receive_undo_follow(app: &App, env: &Envelope, follower: &CachedActor) -> Result<()> {
    let follow = Named::of(
        env.object()
            .ok_or_else(|| invalid("an Undo must name what it undoes"))?,
    );
    if let Some(inner_actor) = &follow.actor
        && *inner_actor != follower.ap_id
    {
        return Err(Error::new(
            ErrorCode::SignerNotActor,
            "an actor can only undo its own follow",
        ));
    }
    let follower_ap_id = follower.ap_id.clone();
    let follower_actor = follower.clone();
    let follow_id = follow.id;
    let target = follow.object;
    let activity_id = env.id.to_string();
    let now = crate::time::now();
    app.db
        .transaction(move |c| {
            if !received::record(c, &activity_id, now)? {
                return Ok(());
            }
            let row = match &target {
                Some(target) => follows::find_pair(c, &follower_ap_id, target)?,
                None => find_by_activity(c, &follower_ap_id, follow_id.as_deref())?,
            };
            if let Some(row) = row {
                follows::delete(c, row.id)?;
                // Undoing the follow that made a member ends the membership too.
                if let Some(community_id) = row.target_community_id {
                    crate::membership::end_remote_membership(
                        c,
                        community_id,
                        &row.target_ap_id,
                        &follower_actor,
                    )?;
                }
            }
            Ok(())
        })
        .await
}

/// A remote actor accepted (`accepted` true) or rejected a follow a local actor sent it.
pub async fn receive_answer(
    app: &App,
    env: &Envelope,
    target: &CachedActor,
    accepted: bool,
) -> Result<()> {
    // An embedded Follow says who followed; a bare id is looked up among our follows.
    let follow = Named::of(
        env.object()
            .ok_or_else(|| invalid("an Accept must name the Follow"))?,
    );
    if let Some(object) = &follow.object
        && *object != target.ap_id
    {
        return Err(Error::new(
            ErrorCode::SignerNotActor,
            "only the followed actor can answer a follow",
        ));
    }
    let target_ap_id = target.ap_id.clone();
    let follower = follow.actor;
    let follow_id = follow.id;
    let activity_id = env.id.to_string();
    let now = crate::time::now();
    let first_follow = app
        .db
        .transaction(move |c| {
            if !received::record(c, &activity_id, now)? {
                return Ok(false);
            }
            let row = match &follower {
                Some(follower) => follows::find_pair(c, follower, &target_ap_id)?,
                None => follow_id
                    .as_deref()
                    .map(|id| follows::find_by_activity_id(c, id))
                    .transpose()?
                    .flatten()
                    .filter(|r| r.target_ap_id == target_ap_id),
            };
            match row {
                Some(row) if row.follower_user_id.is_some() => {
                    let was_followed = row.target_remote_id.is_some_and(|id| {
                        follows::any_local_follower_of_remote(c, id).unwrap_or(true)
                    });
                    follows::settle(
                        c,
                        row.id,
                        if accepted { "accepted" } else { "rejected" },
                        now,
                    )?;
                    Ok(accepted && !was_followed)
                }
                _ => {
                    tracing::debug!(target = target_ap_id, "an answer to no follow of ours");
                    Ok(false)
                }
            }
        })
        .await?;
    // The first local follower of a remote community: bring in its latest posts.
    if first_follow && target.is_group() {
        let app = app.clone();
        let community = target.clone();
        tokio::spawn(async move {
            backfill(&app, &community).await;
            // Lemmy sends to a new follower's server only once it refreshes its list of
            // follower servers (every minute or so): what happened in between comes with a
            // second import. Posts already held are not imported twice.
            let again = app.config.backfill_again_after;
            if !again.is_zero() {
                tokio::time::sleep(again).await;
                backfill(&app, &community).await;
            }
        });
    }
    Ok(())
}

async fn backfill(app: &App, community: &CachedActor) {
    match crate::federation::backfill::community(app, community).await {
        Ok(n) => tracing::info!(community = community.ap_id, posts = n, "backfilled"),
        Err(e) => tracing::warn!(community = community.ap_id, error = %e, "backfill failed"),
    }
}

fn find_by_activity(
    c: &mut DbConnection,
    follower_ap_id: &str,
    follow_id: Option<&str>,
) -> Result<Option<follows::FollowRow>> {
    let Some(id) = follow_id else {
        return Ok(None);
    };
    Ok(follows::find_by_activity_id(c, id)?.filter(|r| r.follower_ap_id == follower_ap_id))
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::ActivityInvalid, message)
}
