//! Who signed an incoming activity, and whether that is its actor.

use url::Url;

use crate::app::App;
use crate::db::remote_actors::{self, CachedActor};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::envelope::{Envelope, authority};
use crate::federation::remote;
use crate::federation::signatures::PendingVerification;

/// A cached key that fails is refetched only if the copy is older than this, so a forged
/// signature cannot make copse refetch an actor on every request.
const KEY_REFETCH_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// Verifies the signature and returns the actor it proves. `None` when the activity is the
/// deletion of an actor copse has never seen (accepted and ignored without fetching: the
/// actor is gone, its key with it).
pub async fn verify(
    app: &App,
    env: &Envelope,
    pending: PendingVerification,
) -> Result<Option<CachedActor>> {
    let key_url = Url::parse(pending.key_id()).map_err(|_| {
        Error::new(
            ErrorCode::SignatureMalformed,
            format!("the key id {} is not a URL", pending.key_id()),
        )
    })?;
    if authority(&key_url) != authority(&env.actor) {
        return Err(not_actor(env, pending.key_id()));
    }
    if env.kind == "Delete" && env.object_id().as_ref() == Some(&env.actor) {
        let ap_id = env.actor.to_string();
        let known = app
            .db
            .run(move |c| Ok(remote_actors::find_by_ap_id(c, &ap_id)?))
            .await?;
        if known.is_none() {
            return Ok(None);
        }
    }
    let actor = remote::actor_for_key(app, pending.key_id())
        .await
        .map_err(|e| signer_unknown(pending.key_id(), e))?;
    if actor.ap_id != env.actor.as_str() {
        return Err(not_actor(env, pending.key_id()));
    }
    match pending.clone().verify(&actor.public_key_pem) {
        Ok(_) => Ok(Some(actor)),
        Err(first) if crate::time::now() - actor.fetched_at > KEY_REFETCH_AFTER => {
            // The actor may have rotated its key since it was cached.
            let fresh = remote::refresh(app, &env.actor)
                .await
                .map_err(|e| signer_unknown(pending.key_id(), e))?;
            if fresh.public_key_id != pending.key_id() {
                return Err(first);
            }
            pending.verify(&fresh.public_key_pem)?;
            Ok(Some(fresh))
        }
        Err(e) => Err(e),
    }
}

fn not_actor(env: &Envelope, key_id: &str) -> Error {
    Error::new(
        ErrorCode::SignerNotActor,
        format!(
            "the key {key_id} does not belong to the actor {}",
            env.actor
        ),
    )
}

fn signer_unknown(key_id: &str, cause: Error) -> Error {
    if cause.code() == ErrorCode::SignerUnknown {
        return cause;
    }
    Error::new(
        ErrorCode::SignerUnknown,
        format!("the key {key_id} could not be fetched: {}", cause.message()),
    )
}
