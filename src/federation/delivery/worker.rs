//! The delivery worker: takes due rows from the queue and POSTs them, signed.
//!
//! Two limits bound the requests in flight: `federation.delivery_concurrency` in this
//! process (its [`Slots`]), and `federation.delivery_per_instance` for any one server. The
//! second is counted in the database, from the slots of every process, and a server at its
//! cap is left out of the claim query itself; so a slow or dead server holds at most that
//! many requests, and the rows queued behind its backlog go to other servers meanwhile. A
//! new row is taken as soon as a request finishes, except during a large fan-out: while
//! the last claim filled every free slot, a freed slot waits up to [`REFILL_WAIT`] for
//! others, so one claim (a transaction, and on PostgreSQL a lock) serves several rows.
//!
//! A row is leased while in flight: the slot that took it holds it (see
//! `db::delivery_slots`). On PostgreSQL, where several processes may share the queue, a
//! lease left by a process that died runs out after [`LEASE`]; each attempt is cut off well
//! before that ([`ATTEMPT_TIMEOUT`]), so a lease never runs out under a live worker and no
//! row is sent twice at once. On SQLite one process delivers: the worker holds an
//! exclusive lock on a file beside the database, and having it, knows that any slot it
//! finds was left by a dead process and forgets them all at start, so a restart after
//! `kill -9` resumes at once.
//!
//! Outcomes: a 2xx removes the row. A 4xx other than 408 and 429 is final (the receiver
//! understood and refused; sending again cannot help) and removes it too. Anything else is
//! retried later (see [`super::backoff`]), and after two days of failures the row is
//! dropped and logged. Each outcome also updates the server's health (see
//! [`super::instances`]), in the same transaction as the row.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta, Utc};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method};
use tokio::sync::{Mutex, watch};
use url::Url;

use super::backoff;
use super::instances::{self, Health};
use super::settle::Settler;
use super::slots::Slots;
use crate::app::App;
use crate::config::DatabaseUrl;
use crate::db::deliveries::{self, Claimed, DeliveryRow};
use crate::db::delivery_slots;
use crate::error::{ErrorCode, Result};
use crate::federation::local;
use crate::federation::protocol::ACTIVITY_JSON;
use crate::federation::signatures::{RequestSigner, Scheme};
use crate::federation::urls::Urls;

/// How long a taken row stays reserved for the worker that took it.
pub const LEASE: TimeDelta = TimeDelta::minutes(2);
/// The longest one attempt may take, signing included; well inside [`LEASE`], leaving time
/// to record the outcome.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// During a fan-out, how long a freed slot may wait for others before rows are claimed.
const REFILL_WAIT: Duration = Duration::from_millis(3);
/// How often the queue is looked at when nothing wakes the worker (other processes on the
/// same PostgreSQL queue rows without waking this one).
const IDLE_POLL: Duration = Duration::from_secs(5);
/// How often a worker that found the SQLite delivery lock taken tries again.
const LOCK_RETRY: Duration = Duration::from_secs(10);
/// How often old parked rows, and the slots of processes that died, are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// How often the activities whose deliveries are all settled are removed.
const TIDY_EVERY: Duration = Duration::from_secs(60);
/// Rows parked for an unreachable server are kept this long for its return, then dropped.
pub const PARKED_KEPT_FOR: TimeDelta = TimeDelta::days(30);

type Signers = Mutex<HashMap<String, Arc<RequestSigner>>>;

/// Starts the worker; it stops taking rows when `stop` turns true.
pub fn spawn(app: App, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(app, stop))
}

async fn run(app: App, mut stop: watch::Receiver<bool>) {
    // Held until the worker ends; dropping it (or the process dying) frees the lock.
    let _lock = match &app.config.database_url {
        DatabaseUrl::Sqlite(path) => {
            let Some(lock) = sqlite_lock(path, &mut stop).await else {
                return;
            };
            match app
                .db
                .run(move |c| Ok(delivery_slots::release_all(c)?))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    deliveries = n,
                    "resuming deliveries a previous run left in flight"
                ),
                Err(e) => tracing::warn!(error = %e, "cannot release old delivery leases"),
            }
            lock
        }
        DatabaseUrl::Postgres(_) => None,
    };
    let per_instance = app.config.delivery_per_instance as i64;
    let slots = Arc::new(Slots::new(app.config.delivery_concurrency));
    let signers: Arc<Signers> = Arc::default();
    let settler = Settler::spawn(app.clone(), slots.clone());
    let mut next_sweep = Instant::now();
    let mut next_tidy = Instant::now() + TIDY_EVERY;
    // Refill in batches of at least a quarter of the slots while a backlog lasts.
    let refill_at = (app.config.delivery_concurrency / 4).max(1);
    let mut backlog = false;
    loop {
        if *stop.borrow() {
            return;
        }
        if Instant::now() >= next_sweep {
            sweep(&app).await;
            next_sweep = Instant::now() + SWEEP_EVERY;
        }
        if Instant::now() >= next_tidy {
            tidy(&app).await;
            next_tidy = Instant::now() + TIDY_EVERY;
        }
        let mut free = slots.available();
        if backlog && free > 0 && free < refill_at {
            tokio::time::sleep(REFILL_WAIT).await;
            free = slots.available();
        }
        let claimed = if free == 0 {
            Vec::new()
        } else {
            claim(&app, &slots, free, per_instance).await
        };
        let idle = claimed.is_empty();
        backlog = free > 0 && claimed.len() == free;
        for taken in claimed {
            let app = app.clone();
            let signers = signers.clone();
            let settler = settler.clone();
            let slots = slots.clone();
            tokio::spawn(async move {
                let slot = taken.slot;
                if deliver(&app, &signers, &settler, &slots, taken).await == Kept::ByUs {
                    slots.give_back([slot]);
                }
                // A slot, and a place under the server's cap, are free again (or will be
                // once the settler has written its batch, which wakes the worker too).
                app.deliveries_queued.notify_one();
            });
        }
        if idle || slots.available() == 0 {
            let wait = if idle {
                until_next_due(&app).await
            } else {
                IDLE_POLL
            };
            tokio::select! {
                () = app.deliveries_queued.notified() => {}
                () = tokio::time::sleep(wait) => {}
                changed = stop.changed() => {
                    // The server that owns the worker is gone.
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Takes the lock that makes this process the one delivering from a SQLite database,
/// waiting while another process holds it. `None` if told to stop first. A lock file that
/// cannot be used at all (a filesystem without locks) is reported and delivery goes on.
async fn sqlite_lock(db: &Path, stop: &mut watch::Receiver<bool>) -> Option<Option<File>> {
    let mut path = db.as_os_str().to_owned();
    path.push(".delivery-lock");
    let mut warned = false;
    loop {
        let file = match std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(path = %Path::new(&path).display(), error = %e, "cannot open the delivery lock file; delivering without it");
                return Some(None);
            }
        };
        match file.try_lock() {
            Ok(()) => return Some(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                if !warned {
                    tracing::warn!(
                        "another copse process delivers from this SQLite database; this one waits"
                    );
                    warned = true;
                }
            }
            Err(std::fs::TryLockError::Error(e)) => {
                tracing::warn!(error = %e, "cannot lock the delivery lock file; delivering without it");
                return Some(None);
            }
        }
        tokio::select! {
            () = tokio::time::sleep(LOCK_RETRY) => {}
            changed = stop.changed() => {
                if changed.is_err() {
                    return None;
                }
            }
        }
        if *stop.borrow() {
            return None;
        }
    }
}

/// Claims up to `limit` deliveries into free slots; the slots that took none go back.
async fn claim(app: &App, slots: &Slots, limit: usize, per_instance: i64) -> Vec<Claimed> {
    let now = crate::time::now();
    let started = std::time::Instant::now();
    let free = slots.take(limit);
    let worker = slots.worker;
    let offered = free.clone();
    let result = app
        .db
        .transaction(move |c| {
            Ok(deliveries::claim_due(
                c,
                worker,
                &offered,
                now,
                now + LEASE,
                per_instance,
            )?)
        })
        .await;
    super::settle::claim_took(app, started.elapsed());
    let claimed = match result {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the delivery queue");
            Vec::new()
        }
    };
    slots.give_back(
        free.into_iter()
            .filter(|s| !claimed.iter().any(|c| c.slot == *s)),
    );
    claimed
}

/// How long to sleep when nothing could be taken: until the next row falls due, at most
/// [`IDLE_POLL`]. Rows already due but not taken belong to servers at their cap; a finishing
/// request wakes the worker for those, so it does not poll for them in a tight loop.
async fn until_next_due(app: &App) -> Duration {
    let now = crate::time::now();
    let next = app.db.run(move |c| Ok(deliveries::next_due(c, now)?)).await;
    match next {
        Ok(Some(at)) => match (at - crate::time::now()).to_std() {
            Ok(wait) if !wait.is_zero() => wait.clamp(Duration::from_millis(10), IDLE_POLL),
            _ => IDLE_POLL,
        },
        _ => IDLE_POLL,
    }
}

/// Removes the activities no delivery names any more.
async fn tidy(app: &App) {
    if let Err(e) = app
        .db
        .run(|c| Ok(deliveries::drop_finished_activities(c)?))
        .await
    {
        tracing::warn!(error = %e, "cannot remove delivered activities");
    }
}

/// Drops old parked rows and the slots of processes that died.
async fn sweep(app: &App) {
    let now = crate::time::now();
    let cutoff = now - PARKED_KEPT_FOR;
    if let Err(e) = app
        .db
        .run(move |c| Ok(delivery_slots::forget_idle(c, now)?))
        .await
    {
        tracing::warn!(error = %e, "cannot forget idle delivery slots");
    }
    match app
        .db
        .run(move |c| Ok(deliveries::drop_parked_before(c, cutoff)?))
        .await
    {
        Ok(0) => {}
        Ok(n) => {
            for _ in 0..n {
                app.metrics.delivery("failed");
            }
            tracing::warn!(
                deliveries = n,
                "dropped deliveries parked for unreachable instances for 30 days"
            );
        }
        Err(e) => tracing::warn!(error = %e, "cannot sweep parked deliveries"),
    }
}

/// What became of one attempt.
enum Outcome {
    Delivered,
    Final(String),
    Retry(String, Option<Duration>),
}

/// Who gives a slot back once its delivery is settled.
#[derive(Debug, PartialEq, Eq)]
enum Kept {
    /// The delivery was settled here: the caller gives the slot back.
    ByUs,
    /// The batch settler took the delivery, and gives the slot back once it is written.
    BySettler,
}

/// A local person's `Create` taken by a remote community's server: what they wrote is
/// accepted there, and shown here now, whether or not that server echoes it back in an
/// Announce (PieFed does not announce to the author's own server). Only people's
/// activities are read: a community's fan-out is not.
async fn accepted_by_community(app: &App, row: &DeliveryRow) {
    use crate::federation::protocol::activities::{Create, parse};
    let people = format!("{}/u/", Urls::new(&app.config).base());
    if !row.signer_ap_id.starts_with(&people) {
        return;
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&row.body) else {
        return;
    };
    let Some(object) = parse::<Create>(&json)
        .ok()
        .and_then(|c| c.object.id().map(str::to_string))
    else {
        return;
    };
    let result = app
        .db
        .run(move |c| crate::discussions::write::accepted(c, &object))
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot show content its community accepted");
    }
}

async fn deliver(
    app: &App,
    signers: &Signers,
    settler: &Settler,
    slots: &Slots,
    taken: Claimed,
) -> Kept {
    let Claimed { row, slot } = taken;
    let worker = slots.worker;
    if app.policy.current().await.is_blocked(&row.domain) {
        drop_blocked(app, worker, slot, row).await;
        return Kept::ByUs;
    }
    let (outcome, health) =
        match tokio::time::timeout(ATTEMPT_TIMEOUT, attempt(app, signers, &row)).await {
            Ok(Ok(judged)) => judged,
            Ok(Err(e)) => match e.code() {
                // The address rules refused the inbox, or the signer is gone: final, and
                // nothing learned about the server.
                ErrorCode::FetchRefused | ErrorCode::NotFound => {
                    (Outcome::Final(e.to_string()), Health::Unknown)
                }
                ErrorCode::FetchFailed => (Outcome::Retry(e.to_string(), None), Health::Failed),
                _ => (Outcome::Retry(e.to_string(), None), Health::Unknown),
            },
            Err(_) => (
                Outcome::Retry("the delivery took too long".into(), None),
                Health::Failed,
            ),
        };
    let now = crate::time::now();
    let lease = row.leased_until.unwrap_or(row.next_attempt_at);
    let id = row.id;
    let domain = row.domain.clone();
    let why = match &outcome {
        Outcome::Delivered => String::new(),
        Outcome::Final(why) | Outcome::Retry(why, _) => why.clone(),
    };
    let settle: Settle = match outcome {
        Outcome::Delivered => {
            app.metrics.delivery("delivered");
            accepted_by_community(app, &row).await;
            // The common case is settled in batches; the rest one by one, below.
            if health == Health::Answered && settler.delivered(id, &domain, slot) {
                return Kept::BySettler;
            }
            Settle::Remove
        }
        Outcome::Final(why) => {
            app.metrics.delivery("failed");
            tracing::warn!(
                inbox = row.inbox,
                activity = row.activity_id,
                why,
                "delivery refused for good"
            );
            Settle::Remove
        }
        Outcome::Retry(why, retry_after) => {
            if backoff::given_up(now, row.created_at) {
                app.metrics.delivery("failed");
                tracing::warn!(
                    inbox = row.inbox,
                    activity = row.activity_id,
                    why,
                    "delivery given up after two days"
                );
                Settle::Remove
            } else if lease <= now {
                // The lease ran out (a stalled process): another worker may have taken the
                // row since, and its outcome must not be overwritten. The row is due, so it
                // is attempted again either way.
                app.metrics.delivery("retry");
                Settle::LeaseLost
            } else {
                app.metrics.delivery("retry");
                let attempts = row.attempts.saturating_add(1);
                let next = backoff::next_attempt(now, attempts, retry_after);
                tracing::debug!(
                    inbox = row.inbox,
                    attempts,
                    why,
                    "delivery failed; will retry"
                );
                Settle::Reschedule { attempts, next }
            }
        }
    };
    let result = app
        .db
        .transaction(move |c| {
            deliveries::relax_commit(c)?;
            match settle {
                Settle::Remove => {
                    deliveries::settle_removed(c, worker, &[(id, slot)])?;
                }
                Settle::Reschedule { attempts, next } => {
                    deliveries::reschedule(c, worker, slot, id, attempts, next, &why)?;
                }
                Settle::LeaseLost => {
                    delivery_slots::free(c, worker, &[slot])?;
                }
            }
            instances::record(c, &domain, health, &why, now)
        })
        .await;
    super::settle::settled(app, 1);
    match result {
        Ok(true) => tracing::warn!(
            instance = row.domain,
            "instance failing for days, marked unreachable; its deliveries wait until it is heard from"
        ),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "cannot update the delivery queue"),
    }
    Kept::ByUs
}

/// A row queued before its domain was blocked: removed unsent, for good (the block may be
/// lifted later, but what was said while it stood is not sent after the fact).
async fn drop_blocked(app: &App, worker: i64, slot: i32, row: DeliveryRow) {
    app.metrics.delivery("blocked");
    tracing::info!(
        inbox = row.inbox,
        activity = row.activity_id,
        "delivery dropped: the domain is blocked"
    );
    let id = row.id;
    if let Err(e) = app
        .db
        .transaction(move |c| Ok(deliveries::settle_removed(c, worker, &[(id, slot)])?))
        .await
    {
        tracing::warn!(error = %e, "cannot update the delivery queue");
    }
    super::settle::settled(app, 1);
}

/// What to do with the row once an attempt is judged.
enum Settle {
    Remove,
    Reschedule { attempts: i32, next: NaiveDateTime },
    LeaseLost,
}

async fn attempt(app: &App, signers: &Signers, row: &DeliveryRow) -> Result<(Outcome, Health)> {
    let signer = signer_for(app, signers, &row.signer_ap_id).await?;
    let url = Url::parse(&row.inbox).map_err(|e| {
        crate::error::Error::new(ErrorCode::FetchRefused, format!("bad inbox URL: {e}"))
    })?;
    let body = row.body.clone().into_bytes();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON));
    signer.sign(
        Scheme::DraftCavage,
        &Method::POST,
        &url,
        &mut headers,
        Some(&body),
        Utc::now(),
    )?;
    let response = app.fetcher.post(&url, headers, body).await?;
    Ok(judge(response.status.as_u16(), response.retry_after))
}

/// What an HTTP status means for the row and for its server.
fn judge(status: u16, retry_after: Option<Duration>) -> (Outcome, Health) {
    let why = || format!("the inbox answered {status}");
    match status {
        200..=299 => (Outcome::Delivered, Health::Answered),
        408 => (Outcome::Retry(why(), retry_after), Health::Failed),
        429 => (Outcome::Retry(why(), retry_after), Health::Answered),
        400..=499 => (Outcome::Final(why()), Health::Answered),
        500..=599 => (Outcome::Retry(why(), retry_after), Health::Failed),
        _ => (Outcome::Retry(why(), retry_after), Health::Answered),
    }
}

/// Parsing an RSA key costs more than signing with it, so each actor's is loaded once.
async fn signer_for(app: &App, signers: &Signers, ap_id: &str) -> Result<Arc<RequestSigner>> {
    if let Some(s) = signers.lock().await.get(ap_id) {
        return Ok(s.clone());
    }
    let signer = Arc::new(local::signer(app, ap_id).await?);
    signers
        .lock()
        .await
        .insert(ap_id.to_string(), signer.clone());
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_judged_for_the_row_and_the_server() {
        let judged = |s| {
            let (o, h) = judge(s, None);
            let o = match o {
                Outcome::Delivered => "delivered",
                Outcome::Final(_) => "final",
                Outcome::Retry(..) => "retry",
            };
            (o, h)
        };
        assert_eq!(judged(202), ("delivered", Health::Answered));
        assert_eq!(judged(404), ("final", Health::Answered));
        assert_eq!(judged(410), ("final", Health::Answered));
        assert_eq!(judged(429), ("retry", Health::Answered));
        assert_eq!(judged(408), ("retry", Health::Failed));
        assert_eq!(judged(500), ("retry", Health::Failed));
        assert_eq!(judged(503), ("retry", Health::Failed));
    }

    #[test]
    fn an_attempt_ends_well_inside_its_lease() {
        let attempt = TimeDelta::from_std(ATTEMPT_TIMEOUT).unwrap_or(LEASE);
        assert!(attempt * 3 / 2 < LEASE);
    }
}
