//! Re-sending follows that no answer came back for.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use tokio::sync::watch;

use crate::app::App;
use crate::db::{follows, remote_actors};
use crate::error::Result;
use crate::events::Event;
use crate::federation::urls::Urls;

/// Wait before each re-send, after the first send: a minute, five, half an hour, two
/// hours, half a day. After the last the follow stays pending; the user can follow again.
pub const RETRY_SCHEDULE: [TimeDelta; 5] = [
    TimeDelta::minutes(1),
    TimeDelta::minutes(5),
    TimeDelta::minutes(30),
    TimeDelta::hours(2),
    TimeDelta::hours(12),
];

/// When to send again after `attempts` sends, or `None` to stop.
pub fn next_retry(now: NaiveDateTime, attempts: i32) -> Option<NaiveDateTime> {
    let index = usize::try_from(attempts.max(1) - 1).ok()?;
    RETRY_SCHEDULE.get(index).map(|delay| now + *delay)
}

/// Re-sends every pending follow that is due at `now`; returns how many were sent.
pub async fn retry_due(app: &App, now: NaiveDateTime) -> Result<usize> {
    let due = app
        .db
        .run(move |c| Ok(follows::due_retries(c, now, 100)?))
        .await?;
    let urls = Urls::new(&app.config);
    let mut sent = 0;
    for row in due {
        let Some(remote_id) = row.target_remote_id else {
            continue;
        };
        let Some(target) = app
            .db
            .run(move |c| Ok(remote_actors::find(c, remote_id)?))
            .await?
        else {
            continue;
        };
        // A fresh id: a receiver that did process the first one would ignore a repeat.
        let activity_id = urls.new_activity_id("follow");
        let attempts = row.attempts + 1;
        let next = next_retry(now, attempts);
        let event = Event::FollowSent {
            follower: row.follower_ap_id.clone(),
            target: target.ap_id.clone(),
            inbox: target.inbox.clone(),
            activity: activity_id.clone(),
        };
        let still_pending = app
            .change(move |c, events| {
                let updated =
                    follows::record_attempt(c, row.id, &activity_id, attempts, next, now)?;
                if updated == 1 {
                    events.record(c, event)?;
                }
                Ok(updated == 1)
            })
            .await?;
        if still_pending {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Checks for due follows every half minute until `stop` turns true.
pub fn spawn_retries(app: App, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(30)) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return;
            }
            if let Err(e) = retry_due(&app, crate::time::now()).await {
                tracing::warn!(error = %e, "cannot re-send pending follows");
            }
        }
    })
}
