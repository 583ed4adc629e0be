//! The delivery worker: takes due rows from the queue and POSTs them, signed.
//!
//! Up to [`CONCURRENCY`] deliveries are in flight at once, and a new row is taken as soon as
//! any one finishes, so a slow or dead server holds up only its own requests, never the
//! queue. A row is leased while in flight; if the process dies, the lease runs out and the
//! row is tried again.
//!
//! Outcomes: a 2xx removes the row. A 4xx other than 408 and 429 is final (the receiver
//! understood and refused; sending again cannot help) and removes it too. Anything else is
//! retried after a delay that doubles from 30 seconds up to 6 hours, with jitter so that
//! many rows for one recovering server do not arrive in one burst, honouring `Retry-After`;
//! after two days of failures the row is dropped and logged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method};
use chrono::{NaiveDateTime, TimeDelta, Utc};
use rand::Rng;
use tokio::sync::{Mutex, Semaphore, watch};
use url::Url;

use crate::app::App;
use crate::db::deliveries::{self, DeliveryRow};
use crate::error::{ErrorCode, Result};
use crate::federation::local;
use crate::federation::protocol::ACTIVITY_JSON;
use crate::federation::signatures::{RequestSigner, Scheme};

/// Deliveries in flight at once.
pub const CONCURRENCY: usize = 16;
/// How long a taken row stays reserved for the worker that took it.
const LEASE: TimeDelta = TimeDelta::minutes(5);
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(6 * 3600);
/// After this long in the queue, a failing delivery is given up.
const GIVE_UP_AFTER: TimeDelta = TimeDelta::days(2);
/// How often the queue is looked at when nothing wakes the worker.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// Starts the worker; it stops when `stop` turns true.
pub fn spawn(app: App, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(app, stop))
}

async fn run(app: App, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    let signers: Arc<Mutex<HashMap<String, Arc<RequestSigner>>>> = Arc::default();
    loop {
        if *stop.borrow() {
            return;
        }
        let free = slots.available_permits();
        let claimed = if free == 0 {
            Vec::new()
        } else {
            claim(&app, free).await
        };
        let idle = claimed.is_empty();
        for row in claimed {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            let app = app.clone();
            let signers = signers.clone();
            let wake = app.deliveries_queued.clone();
            tokio::spawn(async move {
                deliver(&app, &signers, row).await;
                drop(permit);
                // A slot is free again: let the loop take the next row at once.
                wake.notify_one();
            });
        }
        if idle || slots.available_permits() == 0 {
            tokio::select! {
                () = app.deliveries_queued.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

async fn claim(app: &App, limit: usize) -> Vec<DeliveryRow> {
    let now = crate::time::now();
    let result = app
        .db
        .run(move |c| Ok(deliveries::claim_due(c, now, now + LEASE, limit as i64)?))
        .await;
    match result {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the delivery queue");
            Vec::new()
        }
    }
}

/// What became of one attempt.
enum Outcome {
    Delivered,
    Final(String),
    Retry(String, Option<Duration>),
}

async fn deliver(
    app: &App,
    signers: &Mutex<HashMap<String, Arc<RequestSigner>>>,
    row: DeliveryRow,
) {
    let outcome = match attempt(app, signers, &row).await {
        Ok(outcome) => outcome,
        Err(e) if e.code() == ErrorCode::FetchRefused || e.code() == ErrorCode::NotFound => {
            Outcome::Final(e.to_string())
        }
        Err(e) => Outcome::Retry(e.to_string(), None),
    };
    let id = row.id;
    let result = match outcome {
        Outcome::Delivered => {
            app.metrics.delivery("delivered");
            app.db.run(move |c| Ok(deliveries::remove(c, id)?)).await
        }
        Outcome::Final(why) => {
            app.metrics.delivery("failed");
            tracing::warn!(
                inbox = row.inbox,
                activity = row.activity_id,
                why,
                "delivery refused for good"
            );
            app.db.run(move |c| Ok(deliveries::remove(c, id)?)).await
        }
        Outcome::Retry(why, retry_after) => {
            let now = crate::time::now();
            if now - row.created_at > GIVE_UP_AFTER {
                app.metrics.delivery("failed");
                tracing::warn!(
                    inbox = row.inbox,
                    activity = row.activity_id,
                    why,
                    "delivery given up after two days"
                );
                app.db.run(move |c| Ok(deliveries::remove(c, id)?)).await
            } else {
                app.metrics.delivery("retry");
                let attempts = row.attempts + 1;
                let next = next_attempt(now, attempts, retry_after);
                tracing::debug!(
                    inbox = row.inbox,
                    attempts,
                    why,
                    "delivery failed; will retry"
                );
                app.db
                    .run(move |c| Ok(deliveries::reschedule(c, id, attempts, next, &why)?))
                    .await
            }
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot update the delivery queue");
    }
}

async fn attempt(
    app: &App,
    signers: &Mutex<HashMap<String, Arc<RequestSigner>>>,
    row: &DeliveryRow,
) -> Result<Outcome> {
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
    let status = response.status;
    Ok(if status.is_success() {
        Outcome::Delivered
    } else if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
        Outcome::Final(format!("the inbox answered {status}"))
    } else {
        Outcome::Retry(format!("the inbox answered {status}"), response.retry_after)
    })
}

/// Parsing an RSA key costs more than signing with it, so each actor's is loaded once.
async fn signer_for(
    app: &App,
    signers: &Mutex<HashMap<String, Arc<RequestSigner>>>,
    ap_id: &str,
) -> Result<Arc<RequestSigner>> {
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

/// When to try again after `attempts` failures: 30 s doubling, capped, with ±25 % jitter,
/// and never sooner than the server asked.
pub fn next_attempt(
    now: NaiveDateTime,
    attempts: i32,
    retry_after: Option<Duration>,
) -> NaiveDateTime {
    let doubling = 30u64.saturating_mul(1u64 << attempts.clamp(1, 20).saturating_sub(1));
    let base = Duration::from_secs(doubling).min(MAX_DELAY);
    let jitter = rand::thread_rng().gen_range(0.75..1.25);
    let mut delay = base.mul_f64(jitter);
    if let Some(asked) = retry_after {
        delay = delay.max(asked.min(MAX_DELAY));
    }
    now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_stop_growing_at_the_cap() {
        let now = crate::time::now();
        let secs = |a| (next_attempt(now, a, None) - now).num_seconds();
        assert!((22..=38).contains(&secs(1)));
        assert!((45..=75).contains(&secs(2)));
        assert!(secs(30) <= (MAX_DELAY.as_secs() as f64 * 1.25) as i64);
        let asked = (next_attempt(now, 1, Some(Duration::from_secs(600))) - now).num_seconds();
        assert!(asked >= 600);
    }
}
