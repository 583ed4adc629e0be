//! Applying a verified activity, by kind. What only arrives straight to an inbox (follows,
//! joins, answers, invites, reports, an actor's own update or deletion, a community's
//! Announce) is routed here; everything that can happen in a community goes through the
//! one table that announced activities use too ([`table`]). Kinds copse does not act on
//! are recorded as seen and acknowledged, never an error: a server must not fail on
//! vocabulary it does not know.

use serde_json::Value;

use crate::app::App;
use crate::db::received;
use crate::db::remote_actors::CachedActor;
use crate::error::Result;
use crate::federation::activities::content::{Incoming, Via};
use crate::federation::activities::{announce, flag, follow, membership, person, table, warn};
use crate::federation::protocol::envelope::Envelope;
use crate::federation::remote;

pub async fn apply(app: &App, env: &Envelope, actor: &CachedActor) -> Result<()> {
    let object_kind = env
        .object()
        .and_then(|o| o.get("type"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let about_itself = env.object_id().as_ref() == Some(&env.actor);
    match (env.kind.as_str(), object_kind) {
        ("Follow", _) => follow::receive_follow(app, env, actor).await,
        ("Undo", "Follow") => follow::receive_undo_follow(app, env, actor).await,
        ("Accept", "Follow" | "") => follow::receive_answer(app, env, actor, true).await,
        ("Reject", "Follow" | "") => follow::receive_answer(app, env, actor, false).await,
        ("Join", _) => membership::receive_join(app, env, actor).await,
        ("Invite", _) => membership::receive_invite(app, env, actor).await,
        ("Leave", _) => membership::receive_leave(app, env, actor).await,
        ("Accept", "Join") => membership::receive_answer(app, env, actor, true).await,
        ("Reject", "Join") => membership::receive_answer(app, env, actor, false).await,
        ("Update", _) if about_itself => {
            remote::refresh(app, &env.actor).await?;
            record(app, env).await
        }
        ("Delete", _) if about_itself => person::receive_delete(app, env, actor).await,
        ("Announce", _) => announce::receive(app, env, actor).await,
        ("Flag", _) => flag::receive(app, env, actor).await,
        ("Warn", _) => warn::receive(app, env, actor).await,
        // Everything else that can happen in a community: the table announced activities
        // go through too.
        _ => match Incoming::of(env, actor.clone(), Via::Direct) {
            Some(incoming) => table::apply(app, incoming, env).await,
            None => {
                tracing::debug!(kind = env.kind, "activity of an unknown type acknowledged");
                record(app, env).await
            }
        },
    }
}

async fn record(app: &App, env: &Envelope) -> Result<()> {
    let id = env.id.to_string();
    app.db
        .run(move |c| {
            received::record(c, &id, crate::time::now())?;
            Ok(())
        })
        .await
}
