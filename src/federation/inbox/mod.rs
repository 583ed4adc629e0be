//! Receiving activities: the shared `/inbox` and each actor's own inbox.
//!
//! The order of checks is the point of this module. Everything that costs nothing comes
//! first (the body's shape, the actor speaking for its own host, the federation policy's
//! verdict on the actor's domain, the signature's date and
//! digest, whether the activity was already processed); only then is the signer's key
//! fetched, which is a request to a server the sender chose, and the signature verified.
//! An activity is applied in one transaction together with the record of its id, so a
//! redelivery is acknowledged without effect, and a failure leaves nothing half-written.

mod dispatch;
mod signer;

use chrono::Utc;
use http::{HeaderMap, Method};

use crate::app::App;
use crate::db::received;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local;
use crate::federation::protocol::envelope::{Envelope, authority};
use crate::federation::signatures::{self, IncomingRequest};
use crate::federation::urls::Urls;
use crate::ratelimit::{Key, Limit};

/// The largest activity an inbox accepts.
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

/// The longest an activity may take to apply once its signature is checked.
pub const PROCESSING_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// A POST to an inbox, as the HTTP layer received it.
pub struct InboxRequest<'a> {
    pub method: &'a Method,
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What became of an activity that was not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Applied (or, for kinds copse does not act on, acknowledged).
    Applied,
    /// Already processed once; nothing was done.
    Duplicate,
}

/// Checks and applies one incoming activity. Errors carry the reason it was refused.
pub async fn receive(app: &App, request: InboxRequest<'_>) -> Result<Received> {
    let outcome = receive_inner(app, request).await;
    let label = match &outcome {
        Ok(Received::Applied) => "accepted",
        Ok(Received::Duplicate) => "duplicate",
        Err(e) => e.code().as_str(),
    };
    app.metrics.inbox_activity(label);
    match &outcome {
        Ok(_) => tracing::debug!(outcome = label, "inbox activity"),
        Err(e) => tracing::info!(outcome = label, reason = %e.message(), "inbox activity refused"),
    }
    outcome
}

async fn receive_inner(app: &App, request: InboxRequest<'_>) -> Result<Received> {
    if request.body.len() > MAX_ACTIVITY_BYTES {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("an activity may be at most {MAX_ACTIVITY_BYTES} bytes"),
        ));
    }
    if crate::content::control::json_has_nul(request.body) {
        return Err(Error::new(
            ErrorCode::ActivityInvalid,
            "the activity holds a NUL character",
        ));
    }
    let env = Envelope::parse(request.body)?;
    refuse_unreadable(&env, &Urls::new(&app.config))?;
    // Per actor, before any signature check or fetch: refusing a flood early is the point.
    // Only counted once the signature proves the actor (below), so forging someone's id
    // cannot spend their budget.
    app.limiter
        .refuse_if_spent(Limit::InboxPerActor, Key::Actor(env.actor.as_str()))?;
    tracing::debug!(id = %env.id, kind = env.kind, actor = %env.actor, "inbox received");
    if authority(&env.id) != authority(&env.actor) {
        return Err(Error::new(
            ErrorCode::ActivityOriginMismatch,
            format!(
                "the activity {} is not on its actor's host {}",
                env.id,
                authority(&env.actor)
            ),
        ));
    }
    if local::is_local(app, &env.actor) {
        return Err(Error::new(
            ErrorCode::ActivityOriginMismatch,
            "activities of this server's own actors do not arrive through its inbox",
        ));
    }
    // A blocked server is refused before it costs anything: no signature check, no key
    // fetch, not even the duplicate lookup.
    crate::federation::policy::doors::inbox(app, &env, request.path_and_query).await?;

    let mut incoming = IncomingRequest::new(
        request.method,
        request.path_and_query,
        request.headers,
        request.body,
    );
    if app.config.dev {
        incoming = incoming.with_scheme("http");
    }
    let pending = signatures::parse(&incoming, Utc::now())?;

    let id = env.id.to_string();
    if app.db.run(move |c| Ok(received::seen(c, &id)?)).await? {
        return Ok(Received::Duplicate);
    }

    let Some(actor) = signer::verify(app, &env, pending).await? else {
        // A Delete of an actor copse never knew: nothing to remove, nothing to fetch.
        return Ok(Received::Applied);
    };
    app.limiter
        .check(Limit::InboxPerActor, Key::Actor(env.actor.as_str()))?;
    crate::federation::delivery::instances::heard_from(app, &actor.domain).await;
    crate::federation::peers::learn::soon(app, &actor.domain);
    let deletes_itself = env.kind == "Delete" && env.object_id().as_ref() == Some(&env.actor);
    if !deletes_itself {
        refuse_banned(app, &actor).await?;
    }
    // A peer that makes copse fetch slowly (an object, a parent) must not hold the request
    // open forever; it gets 503 and retries, and the id check makes the retry harmless.
    tokio::time::timeout(PROCESSING_LIMIT, apply_again_if_raced(app, &env, &actor))
        .await
        .map_err(|_| {
            Error::new(
                ErrorCode::RequestTimeout,
                "the activity could not be processed in time; retry later",
            )
        })??;
    Ok(Received::Applied)
}

/// The wire model's verdict on the document, before anything else is spent on it: a
/// private message is refused (copse has no messages between people, and must never
/// publish one as a post) unless it is written to a community here, whose moderators read
/// it as a private conversation; a document that does not read as its type, or one that is
/// not an activity, is refused; vocabulary copse does not act on passes, to be acknowledged
/// by the dispatcher, as a server must not fail on what it does not know.
fn refuse_unreadable(env: &Envelope, urls: &Urls) -> Result<()> {
    use crate::federation::protocol::classify::{RefusalReason, Understood, classify};
    match classify(&env.json) {
        Ok(Understood::Activity { .. }) => Ok(()),
        // An object, an actor or a collection posted to an inbox is not an activity, whatever
        // other properties it carries.
        Ok(other) => Err(Error::new(
            ErrorCode::ActivityInvalid,
            format!("an inbox takes activities, not a {other}"),
        )),
        Err(refusal) => match refusal.reason {
            RefusalReason::UnsupportedType => Ok(()),
            RefusalReason::PrivateMessage if written_to_a_community(env, urls) => Ok(()),
            RefusalReason::PrivateMessage => Err(Error::new(
                ErrorCode::PrivateMessageRefused,
                format!("copse has no direct messages ({refusal})"),
            )),
            _ => Err(Error::new(
                ErrorCode::ActivityInvalid,
                format!("the activity does not read: {refusal}"),
            )),
        },
    }
}

/// Whether a private `Create` is a note (not a chat message) addressed to a community of
/// this server.
fn written_to_a_community(env: &Envelope, urls: &Urls) -> bool {
    use crate::federation::protocol::activities::{Activity, Addressing, Create, ObjectRef, parse};
    let Ok(create) = parse::<Create>(&env.json) else {
        return false;
    };
    let ObjectRef::Embedded(object) = &create.object else {
        return false;
    };
    if create.object.embedded_type() != Some("Note") {
        return false;
    }
    let prefix = format!("{}/c/", urls.base());
    let object = Addressing::of(object);
    create
        .addressing()
        .to
        .iter()
        .chain(&create.cc)
        .map(String::as_str)
        .chain(object.named())
        .any(|a| {
            a.strip_prefix(&prefix)
                .is_some_and(|name| !name.contains('/'))
        })
}

/// Applies the activity; when another transaction wrote the same row first (two servers
/// delivering `Announce(Page)` and `Announce(Create)` of one post at the same moment, say),
/// applies it again, and the next attempt finds that row. Without this the loser would
/// answer 500 and its sender would retry minutes later.
async fn apply_again_if_raced(
    app: &App,
    env: &Envelope,
    actor: &crate::db::remote_actors::CachedActor,
) -> Result<()> {
    // One activity may meet a race on each row it writes (its author, its post...).
    const ATTEMPTS: usize = 3;
    let mut attempt = 1;
    loop {
        match dispatch::apply(app, env, actor).await {
            Err(e) if e.is_write_race() && attempt < ATTEMPTS => {
                tracing::debug!(id = %env.id, error = %e, attempt, "inbox write raced; again");
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// Someone banned from this instance is heard no more (a Delete of their own account
/// aside, which only removes what is held of them).
async fn refuse_banned(app: &App, actor: &crate::db::remote_actors::CachedActor) -> Result<()> {
    let id = actor.id;
    let ban = app
        .db
        .run(move |c| {
            crate::moderation::bans::ban_of(c, None, crate::db::memberships::Member::Remote(id))
        })
        .await?;
    match ban {
        Some(ban) => Err(crate::moderation::bans::banned_error(&ban, "this server")),
        None => Ok(()),
    }
}
