//! The state of the delivery queue, as admins see it.

use std::collections::HashMap;

use serde::Serialize;

use crate::app::App;
use crate::db::{deliveries, instances};
use crate::error::Result;
use crate::time::rfc3339;

/// At most this many servers are listed, the most troubled first: a server that federated
/// widely may have thousands of dead peers, and the list is for reading.
pub const MAX_LISTED: usize = 500;

/// The queue as a whole and the servers that need attention.
#[derive(Debug, Clone, Serialize)]
pub struct QueueStatus {
    /// Deliveries waiting (due, in flight, backing off or parked).
    pub pending: i64,
    /// Age of the oldest waiting delivery, 0 when none waits.
    pub oldest_age_seconds: f64,
    /// Servers with deliveries waiting or failing now: unreachable first, then by the
    /// length of their failure streak, then by backlog.
    pub instances: Vec<InstanceStatus>,
}

/// One destination server.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceStatus {
    /// host[:port].
    pub domain: String,
    /// Deliveries waiting for it.
    pub pending: i64,
    /// Failed attempts since its last answer.
    pub consecutive_failures: i32,
    /// RFC 3339; since when it fails without a break, `null` while it answers.
    pub failing_since: Option<String>,
    /// RFC 3339; its latest answer to a delivery.
    pub last_success_at: Option<String>,
    /// Why its latest attempt failed.
    pub last_error: Option<String>,
    /// Its deliveries are parked until it sends a verified activity.
    pub unreachable: bool,
}

/// Reads the queue's state.
pub async fn collect(app: &App) -> Result<QueueStatus> {
    let now = crate::time::now();
    let (pending, oldest, by_domain, troubled) = app
        .db
        .run(|c| {
            let (pending, oldest) = deliveries::backlog(c)?;
            let by_domain = deliveries::pending_by_domain(c, MAX_LISTED as i64)?;
            let mut troubled = instances::troubled(c, MAX_LISTED as i64)?;
            let missing: Vec<String> = by_domain
                .iter()
                .filter(|(d, _)| !troubled.iter().any(|t| &t.domain == d))
                .map(|(d, _)| d.clone())
                .collect();
            troubled.extend(instances::find_all(c, &missing)?);
            let mut known: HashMap<String, i64> = by_domain.into_iter().collect();
            let unlisted: Vec<String> = troubled
                .iter()
                .filter(|t| !known.contains_key(&t.domain))
                .map(|t| t.domain.clone())
                .collect();
            for t in &unlisted {
                known.insert(t.clone(), 0);
            }
            known.extend(deliveries::pending_for(c, &unlisted)?);
            Ok((pending, oldest, known, troubled))
        })
        .await?;
    let mut list: Vec<InstanceStatus> = Vec::new();
    for (domain, n) in &by_domain {
        if let Some(row) = troubled.iter().find(|t| &t.domain == domain) {
            list.push(InstanceStatus {
                domain: domain.clone(),
                pending: *n,
                consecutive_failures: row.consecutive_failures,
                failing_since: row.failing_since.map(rfc3339),
                last_success_at: row.last_success_at.map(rfc3339),
                last_error: row.last_error.clone(),
                unreachable: row.unreachable,
            });
        } else if *n > 0 {
            list.push(InstanceStatus {
                domain: domain.clone(),
                pending: *n,
                consecutive_failures: 0,
                failing_since: None,
                last_success_at: None,
                last_error: None,
                unreachable: false,
            });
        }
    }
    list.retain(|i| i.pending > 0 || i.unreachable || i.consecutive_failures > 0);
    list.sort_by(|a, b| {
        b.unreachable
            .cmp(&a.unreachable)
            .then(b.consecutive_failures.cmp(&a.consecutive_failures))
            .then(b.pending.cmp(&a.pending))
            .then(a.domain.cmp(&b.domain))
    });
    list.truncate(MAX_LISTED);
    Ok(QueueStatus {
        pending,
        oldest_age_seconds: oldest
            .map(|t| (now - t).to_std().unwrap_or_default().as_secs_f64())
            .unwrap_or(0.0),
        instances: list,
    })
}
