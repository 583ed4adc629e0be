//! Periodic upkeep of a running server: hot ranks decay, and the records that only guard
//! against redelivery or serve recent activities are pruned.

use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::watch;

use crate::app::App;
use crate::db::{received, sent};
use crate::error::Result;

/// How long an incoming activity id is remembered (senders retry for about two days).
pub const REMEMBER_RECEIVED: TimeDelta = TimeDelta::days(14);
/// How long a published activity stays fetchable at its id.
pub const KEEP_SENT: TimeDelta = TimeDelta::days(30);

/// One round of upkeep.
pub async fn run_once(app: &App) -> Result<()> {
    crate::discussions::rank::refresh(app).await?;
    app.db
        .run(|c| {
            let now = crate::time::now();
            received::prune(c, now - REMEMBER_RECEIVED)?;
            sent::prune(c, now - KEEP_SENT)?;
            crate::db::followed_notes::prune_unfollowed(c)?;
            Ok(())
        })
        .await
}

/// Runs upkeep every ten minutes until `stop` turns true.
pub fn spawn(app: App, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(600)) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return;
            }
            if let Err(e) = run_once(&app).await {
                tracing::warn!(error = %e, "housekeeping failed");
            }
        }
    })
}
