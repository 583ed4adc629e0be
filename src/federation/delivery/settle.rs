//! Settling delivered rows in batches.
//!
//! A delivery that the receiver took only needs its row deleted and its server noted as
//! healthy. Doing that in a transaction per delivery made the database's work per delivery
//! as large as the signature's (a commit each, and on PostgreSQL a disk flush each), so
//! successes are handed to one task that deletes them together: whatever arrived within
//! [`GATHER`] of the first, up to [`BATCH`] rows, in one transaction. Until then the row
//! stays leased (its slot is kept), so no worker takes it again; if the process dies first,
//! the lease runs out and the activity is sent again, which receivers ignore by its id.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::App;
use crate::config::DatabaseUrl;
use crate::db::deliveries;

use super::slots::Slots;

/// How long the first success of a batch waits for others.
const GATHER: Duration = Duration::from_millis(2);
/// The most rows settled in one transaction.
const BATCH: usize = 256;

struct Delivered {
    id: i64,
    domain: String,
    slot: i32,
}

/// The handle deliveries report their successes to.
#[derive(Clone)]
pub struct Settler {
    tx: mpsc::UnboundedSender<Delivered>,
}

impl Settler {
    /// Starts the task that settles the deliveries of `slots`' worker; it ends once every
    /// handle is dropped and the last batch is written.
    pub fn spawn(app: App, slots: Arc<Slots>) -> Settler {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(app, slots, rx));
        Settler { tx }
    }

    /// Reports the row `id`, held by `slot`, delivered to `domain`; the slot is given back
    /// once the row is settled. False if the settling task is gone, in which case the caller
    /// settles the row (and gives the slot back) itself.
    pub fn delivered(&self, id: i64, domain: &str, slot: i32) -> bool {
        self.tx
            .send(Delivered {
                id,
                domain: domain.to_string(),
                slot,
            })
            .is_ok()
    }
}

async fn run(app: App, slots: Arc<Slots>, mut rx: mpsc::UnboundedReceiver<Delivered>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let until = Instant::now() + GATHER;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(until, rx.recv()).await {
                Ok(Some(next)) => batch.push(next),
                _ => break,
            }
        }
        flush(&app, &slots, batch).await;
    }
}

async fn flush(app: &App, slots: &Slots, batch: Vec<Delivered>) {
    let n = batch.len() as u64;
    let rows: Vec<(i64, i32)> = batch.iter().map(|d| (d.id, d.slot)).collect();
    let freed: Vec<i32> = batch.iter().map(|d| d.slot).collect();
    let domains: BTreeSet<String> = batch.into_iter().map(|d| d.domain).collect();
    let now = crate::time::now();
    let worker = slots.worker;
    let result = app
        .db
        .transaction(move |c| {
            deliveries::relax_commit(c)?;
            deliveries::settle_removed(c, worker, &rows)?;
            let domains: Vec<String> = domains.into_iter().collect();
            crate::db::instances::record_successes(c, &domains, now)?;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        // The rows are due again once their slots take other deliveries (or the leases run
        // out), and are then sent again: receivers ignore the repeat by activity id.
        tracing::warn!(error = %e, rows = n, "cannot settle delivered rows");
    }
    slots.give_back(freed);
    settled(app, n);
    // The settled rows no longer count against their servers' caps: the worker may take
    // rows it had to pass over.
    app.deliveries_queued.notify_one();
}

/// Rows settled by this process, to vacuum the queue every [`VACUUM_EVERY`].
static SETTLED: AtomicU64 = AtomicU64::new(0);
/// Each settled row leaves a dead row version in PostgreSQL (its deletion, or its
/// reschedule). Autovacuum normally clears them, but it may be off or slow to start, and
/// a claim that walks past hundreds of thousands of dead versions slows a whole backlog
/// several-fold; so the worker vacuums the queue itself after this many rows.
const VACUUM_EVERY: u64 = 20_000;

/// Counts `n` more settled rows, vacuuming the queue when another [`VACUUM_EVERY`] have been.
pub fn settled(app: &App, n: u64) {
    let before = SETTLED.fetch_add(n, Ordering::Relaxed);
    if before / VACUUM_EVERY != (before + n) / VACUUM_EVERY {
        vacuum(app);
    }
}

/// When the queue's statistics were last refreshed for a slow claim (seconds since the
/// epoch), so that a run of slow claims asks once.
static REFRESHED_AT: AtomicU64 = AtomicU64::new(0);
/// A claim reads a few rows at the head of the queue and takes well under a millisecond.
const SLOW_CLAIM: std::time::Duration = std::time::Duration::from_millis(5);

/// A claim took `took`. A slow one means the queue changed shape faster than the planner's
/// statistics (a large fan-out just arrived on a table they describe as empty, say), and
/// PostgreSQL then plans claims badly (a scan of the whole queue for the in-flight count)
/// until autovacuum analyzes the table, up to a minute later; so the queue is analyzed
/// now, at most every 30 s.
pub fn claim_took(app: &App, took: std::time::Duration) {
    if took < SLOW_CLAIM {
        return;
    }
    let now = crate::time::now().and_utc().timestamp().max(0) as u64;
    let last = REFRESHED_AT.load(Ordering::Relaxed);
    if now.saturating_sub(last) < 30
        || REFRESHED_AT
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return;
    }
    if !matches!(app.config.database_url, DatabaseUrl::Postgres(_)) {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = app.db.run(|c| Ok(deliveries::analyze(c)?)).await {
            tracing::warn!(error = %e, "cannot analyze the delivery queue");
        }
    });
}

/// Vacuums the queue table in the background (PostgreSQL; SQLite reuses freed pages).
fn vacuum(app: &App) {
    if !matches!(app.config.database_url, DatabaseUrl::Postgres(_)) {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = app.db.run(|c| Ok(deliveries::vacuum(c)?)).await {
            tracing::warn!(error = %e, "cannot vacuum the delivery queue");
        }
    });
}
