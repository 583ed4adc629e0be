//! Applying a verified activity, by kind. Kinds copse does not act on yet are recorded as
//! seen and acknowledged, never an error: a server must not fail on vocabulary it does not
//! know.

use serde_json::Value;

use crate::app::App;
use crate::db::received;
use crate::db::remote_actors::CachedActor;
use crate::error::Result;
use crate::federation::activities::content::{self, Incoming, Via};
use crate::federation::activities::{
    announce, flag, follow, membership, moderation, person, votes,
};
use crate::federation::protocol::envelope::Envelope;
use crate::federation::protocol::envelope::id_of;
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
        ("Lock", _) => match env.object_id() {
            Some(id) => {
                moderation::receive_lock(app, incoming(env, actor), id.to_string(), true).await
            }
            None => record(app, env).await,
        },
        ("Block", _) => {
            moderation::receive_block(app, incoming(env, actor), env.json.clone(), true).await
        }
        ("Undo", "Block") => {
            let block = env.object().cloned().unwrap_or_default();
            moderation::receive_block(app, incoming(env, actor), block, false).await
        }
        ("Undo", "Lock") => match env
            .object()
            .and_then(|o| id_of(o.get("object")))
            .and_then(Value::as_str)
        {
            Some(id) => {
                moderation::receive_lock(app, incoming(env, actor), id.to_string(), false).await
            }
            None => record(app, env).await,
        },
        ("Undo", "Delete") => match env
            .object()
            .and_then(|o| id_of(o.get("object")))
            .and_then(Value::as_str)
        {
            Some(id) => {
                let reason = env.object().and_then(moderation::reason_of);
                moderation::receive_restore(app, incoming(env, actor), id.to_string(), reason).await
            }
            None => record(app, env).await,
        },
        ("Flag", _) => flag::receive(app, env, actor).await,
        ("Create" | "Update", "Page" | "Article" | "Note" | "Question") => {
            let object = env.object().cloned().unwrap_or_default();
            content::receive_create_or_update(app, incoming(env, actor), object).await
        }
        ("Delete", _) => match env.object_id() {
            Some(id) => content::receive_delete(app, incoming(env, actor), id.to_string()).await,
            None => record(app, env).await,
        },
        ("Like", _) | ("Dislike", _) => match env.object_id() {
            Some(id) => {
                let value = if env.kind == "Like" { 1 } else { -1 };
                votes::receive(app, incoming(env, actor), id.to_string(), value).await
            }
            None => record(app, env).await,
        },
        ("Undo", "Like" | "Dislike") => {
            let undone = env.object().and_then(votes::undone_object);
            match undone {
                Some(id) => votes::receive(app, incoming(env, actor), id, 0).await,
                None => record(app, env).await,
            }
        }
        _ => {
            tracing::debug!(
                kind = env.kind,
                object_kind,
                "activity acknowledged, not acted on"
            );
            record(app, env).await
        }
    }
}

fn incoming(env: &Envelope, actor: &CachedActor) -> Incoming {
    Incoming {
        id: env.id.to_string(),
        kind: env.kind.clone(),
        json: env.json.clone(),
        actor: actor.clone(),
        via: Via::Direct,
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
