//! The health of the servers copse delivers to, and what it does with a dead one.
//!
//! Each delivery's outcome also says something about its server: an HTTP answer other than
//! a server error means it is up (even a 404 or a 429: it talked), while a refused
//! connection, a timeout or a 5xx counts as a failure. Failures in a row since the last
//! answer are counted; a server failing without a break for [`UNREACHABLE_AFTER`] is marked
//! unreachable, and its deliveries are parked: kept, but not attempted. Many servers of the
//! fediverse disappear for good, and retrying each of their deliveries on its own schedule
//! would spend requests and time-outs on them forever.
//!
//! A parked server is revived the moment it sends copse a verified activity ([`heard_from`],
//! called by the inbox): it is evidently back, so its parked deliveries fall due at once
//! rather than after whatever backoff they had reached.

use chrono::TimeDelta;

use crate::app::App;
use crate::db::{deliveries, instances};
use crate::error::Result;

/// How long a server must fail, without a single answer in between, to be marked
/// unreachable. Longer than [`super::backoff::GIVE_UP_AFTER`], so an outage of a day or two
/// costs nothing but the activities given up, and only servers that stay dead get parked.
pub const UNREACHABLE_AFTER: TimeDelta = TimeDelta::days(3);

/// What one attempt says about its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// The server answered with an HTTP status below 500 (other than 408).
    Answered,
    /// No answer (connection, DNS, timeout) or a server error.
    Failed,
    /// The attempt never reached the server (a local error, a refused address): no news.
    Unknown,
}

/// Records what an attempt said about `domain`, inside the transaction that settles the
/// delivery. Returns true when this failure made the server unreachable.
pub fn record(
    conn: &mut crate::db::DbConnection,
    domain: &str,
    health: Health,
    why: &str,
    now: chrono::NaiveDateTime,
) -> Result<bool> {
    match health {
        Health::Answered => {
            instances::record_success(conn, domain, now)?;
            Ok(false)
        }
        Health::Failed => Ok(instances::record_failure(
            conn,
            domain,
            now,
            why,
            UNREACHABLE_AFTER,
        )?),
        Health::Unknown => Ok(false),
    }
}

/// An admin asks to retry `domain` now: it is revived if it was parked, and every delivery
/// waiting for it falls due at once. Returns how many deliveries that made due.
pub async fn retry_now(app: &App, domain: &str) -> Result<usize> {
    let domain = domain.to_string();
    let now = crate::time::now();
    let due = app
        .db
        .transaction(move |c| {
            instances::revive(c, &domain, now)?;
            Ok(deliveries::make_due(c, &domain, now)?)
        })
        .await?;
    super::wake(app);
    Ok(due)
}

/// `domain` sent a verified activity: if it was marked unreachable, it is revived and its
/// parked deliveries become due now. Never fails: an error is logged, and the activity that
/// brought the news is processed regardless.
pub async fn heard_from(app: &App, domain: &str) {
    let domain = domain.to_string();
    let now = crate::time::now();
    let name = domain.clone();
    let result = app
        .db
        .run(move |c| {
            // Nearly every server that writes to us is healthy: a read settles that, where
            // an unconditional write per received activity would contend with every other
            // writer on SQLite.
            let parked = instances::find(c, &domain)?.is_some_and(|i| i.unreachable);
            if !parked {
                return Ok(None);
            }
            use diesel::Connection;
            c.transaction(|c| -> Result<Option<usize>> {
                if instances::revive(c, &domain, now)? {
                    Ok(Some(deliveries::make_due(c, &domain, now)?))
                } else {
                    Ok(None)
                }
            })
        })
        .await;
    match result {
        Ok(Some(due)) => {
            tracing::info!(
                instance = name,
                deliveries = due,
                "an unreachable instance is back; its deliveries are due now"
            );
            super::wake(app);
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(instance = name, error = %e, "cannot revive an instance");
        }
    }
}
