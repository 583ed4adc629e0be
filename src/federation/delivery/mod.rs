//! Outgoing activities: stored first, delivered after.
//!
//! An activity is stored once, with a row of the `deliveries` table per destination inbox,
//! in the same transaction as the change that caused it (a follow, an accept…), so an answered API
//! call or inbox request never loses its consequences, even if the process dies the next
//! moment. The [`worker`] then sends each row, signed by the actor named in it, with a cap
//! on requests in flight per server so that no server, however slow, delays the others;
//! failures are retried with growing delays ([`backoff`]), and a server dead for days is
//! parked until it is heard from again ([`instances`]). Receivers process an activity id
//! once, so a redelivery after a crash is harmless. [`status`] is the admins' view.

pub mod backoff;
pub mod instances;
pub mod settle;
pub mod slots;
pub mod status;
pub mod worker;

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;
use url::Url;

use crate::app::App;
use crate::db::DbConnection;
use crate::db::deliveries::{self, NewActivity, NewDelivery};
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
    let mut rows: Vec<Destination> = Vec::new();
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
        rows.push(Destination {
            inbox: inbox.clone(),
            domain: authority(&url),
        });
    }
    if rows.is_empty() {
        return Ok(0);
    }
    let activity = deliveries::insert_activity(
        conn,
        &NewActivity {
            activity_id,
            signer_ap_id: signer_ap_id.to_string(),
            body,
            created_at: now,
        },
    )?;
    let rows: Vec<NewDelivery> = interleaved(rows)
        .into_iter()
        .map(|d| NewDelivery {
            activity,
            inbox: d.inbox,
            domain: d.domain,
            next_attempt_at: now,
            created_at: now,
        })
        .collect();
    // One statement per chunk: PostgreSQL takes at most 65,535 bind parameters in one
    // statement (five per row), and a community with many follower servers exceeds that.
    let mut queued = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        queued += deliveries::insert(conn, chunk)?;
    }
    Ok(queued)
}

/// One inbox an activity is queued for.
struct Destination {
    inbox: String,
    domain: String,
}

/// `rows` in turns across their servers: the first row of each server, then the second of
/// each, and so on. Rows are claimed in the order they were queued, skipping servers at
/// their cap; with a server's inboxes side by side (inbox lists are sorted), a claim for
/// the one server with a free slot had to pass over the runs of all the others.
fn interleaved(rows: Vec<Destination>) -> Vec<Destination> {
    let total = rows.len();
    let mut by_domain: Vec<VecDeque<Destination>> = Vec::new();
    let mut slot: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let i = *slot.entry(row.domain.clone()).or_insert_with(|| {
            by_domain.push(VecDeque::new());
            by_domain.len() - 1
        });
        by_domain[i].push_back(row);
    }
    let mut turns: VecDeque<VecDeque<Destination>> = by_domain.into();
    let mut out = Vec::with_capacity(total);
    while let Some(mut queue) = turns.pop_front() {
        if let Some(row) = queue.pop_front() {
            out.push(row);
        }
        if !queue.is_empty() {
            turns.push_back(queue);
        }
    }
    out
}

/// Tells the worker that new deliveries are waiting.
pub fn wake(app: &App) {
    app.deliveries_queued.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(inbox: &str, domain: &str) -> Destination {
        Destination {
            inbox: inbox.into(),
            domain: domain.into(),
        }
    }

    #[test]
    fn rows_take_turns_across_servers_and_none_is_lost() {
        let rows = vec![
            row("a/1", "a"),
            row("a/2", "a"),
            row("a/3", "a"),
            row("b/1", "b"),
            row("b/2", "b"),
            row("c/1", "c"),
        ];
        let order: Vec<String> = interleaved(rows).into_iter().map(|r| r.inbox).collect();
        assert_eq!(order, ["a/1", "b/1", "c/1", "a/2", "b/2", "a/3"]);
        assert!(interleaved(Vec::new()).is_empty());
    }
}
