//! Outgoing activities: stored first, delivered after.
//!
//! An activity is written to the `deliveries` table, one row per destination inbox, in the
//! same transaction as the change that caused it (a follow, an accept…), so an answered API
//! call or inbox request never loses its consequences, even if the process dies the next
//! moment. The [`worker`] then sends each row, signed by the actor named in it, with a cap
//! on requests in flight per server so that no server, however slow, delays the others;
//! failures are retried with growing delays ([`backoff`]), and a server dead for days is
//! parked until it is heard from again ([`instances`]). Receivers process an activity id
//! once, so a redelivery after a crash is harmless. [`status`] is the admins' view.

pub mod backoff;
pub mod instances;
pub mod settle;
pub mod status;
pub mod worker;

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use crate::app::App;
use crate::db::DbConnection;
use crate::db::deliveries::{self, NewDelivery};
use crate::error::{Error, Result};
use crate::federation::protocol::envelope::authority;

/// Rows per INSERT statement.
const INSERT_CHUNK: usize = 1_000;

/// Queues `activity`, signed by the local actor `signer_ap_id`, for each distinct inbox
/// whose server is not blocked by the instance's federation policy. Runs inside the
/// caller's transaction; call [`wake`] once it has committed.
pub fn enqueue(
    conn: &mut DbConnection,
    activity: &Value,
    signer_ap_id: &str,
    inboxes: &[String],
) -> Result<usize> {
    let activity_id = activity
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::internal("an outgoing activity has no id"))?
        .to_string();
    let body = serde_json::to_string(activity).map_err(Error::internal)?;
    let now = crate::time::now();
    let mut seen: HashSet<&str> = HashSet::with_capacity(inboxes.len());
    let domains: Vec<String> = inboxes
        .iter()
        .filter_map(|i| Url::parse(i).ok())
        .map(|u| authority(&u))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Blocked servers are left out here; the worker checks again before sending.
    let blocked = crate::federation::policy::doors::blocked_among(conn, &domains)?;
    let mut rows: Vec<NewDelivery> = Vec::new();
    for inbox in inboxes {
        if !seen.insert(inbox.as_str()) {
            continue;
        }
        let Ok(url) = Url::parse(inbox) else {
            tracing::warn!(inbox, "not queueing a delivery to an unparseable inbox");
            continue;
        };
        if blocked.contains(&authority(&url)) {
            continue;
        }
        rows.push(NewDelivery {
            activity_id: activity_id.clone(),
            signer_ap_id: signer_ap_id.to_string(),
            inbox: inbox.clone(),
            domain: authority(&url),
            body: body.clone(),
            next_attempt_at: now,
            created_at: now,
        });
    }
    // One statement per chunk: PostgreSQL takes at most 65,535 bind parameters in one
    // statement (seven per row), and a community with many follower servers exceeds that.
    let mut queued = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        queued += deliveries::insert(conn, chunk)?;
    }
    Ok(queued)
}

/// Tells the worker that new deliveries are waiting.
pub fn wake(app: &App) {
    app.deliveries_queued.notify_one();
}
