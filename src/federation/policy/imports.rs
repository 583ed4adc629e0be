//! Blocklist imports in the background: a list is checked whole when it arrives, recorded,
//! and applied in batches by a task of its own, each batch with its progress in one short
//! transaction. A list of 100,000 lines takes longer than a request may; the admin is
//! answered at once (or when it is done, if that is soon) and follows the progress. The
//! same list sent again while it is applied is the same import; a process stopped in the
//! middle resumes it at the next start from the last batch saved.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::accounts::User;
use crate::app::App;
use crate::db::Backend;
use crate::db::blocklist_imports::{self, RUNNING};
use crate::error::{Error, ErrorCode, Result};
use crate::moderation::{Action, LogEntry, Moderator, TargetKind, log};

use super::Severity;
use super::blocklist_csv::{self, BlocklistEntry};
use super::manage::{RuleInput, admin_moderator, apply_blocks, instance_moderator, save_rule};

/// Rules written per transaction: the write lock is let go between batches, so logins and
/// posts go on during a long import.
const BATCH: usize = 500;

/// The least time the write lock is left free between two batches on SQLite.
const SQLITE_PAUSE: Duration = Duration::from_millis(120);

/// Where an import stands: its row, as stored.
pub use crate::db::blocklist_imports::ImportRow as Import;

/// Checks a blocklist whole (a bad line imports nothing) and starts applying it in the
/// background; the import is returned at once. `by` is the admin, or `None` for `copse
/// admin`. The same list sent while it is being applied returns that import.
pub async fn start(app: &App, by: Option<&User>, text: &str) -> Result<Import> {
    let (view, new) = record(app, by.map(|u| u.id), text).await?;
    if new {
        let (app, id) = (app.clone(), view.id);
        tokio::spawn(async move { apply_logged(&app, id).await });
    }
    Ok(view)
}

/// Applies a blocklist to the end, here and now (for `copse admin`, which has no server to
/// run it in the background).
pub async fn apply_now(app: &App, text: &str) -> Result<Import> {
    let (view, _) = record(app, None, text).await?;
    apply(app, view.id).await?;
    find(app, view.id).await
}

/// Checks the list and records its import, or finds the same list's import running; with
/// whether it is new.
async fn record(app: &App, by_user_id: Option<i64>, text: &str) -> Result<(Import, bool)> {
    let entries = check(app, text)?;
    let total = i32::try_from(entries.len())
        .map_err(|_| Error::new(ErrorCode::BlocklistInvalid, "the blocklist is too long"))?;
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let body = text.to_string();
    // The same list sent many times at once: one import is recorded, and the others,
    // finding its key taken, come back for it.
    let (row, new) = crate::db::settle_race(|| {
        let (sha256, body) = (sha256.clone(), body.clone());
        app.db.transaction(move |c| {
            if let Some(row) = blocklist_imports::running_with(c, &sha256)? {
                return Ok((row, false));
            }
            let now = crate::time::now();
            let id = blocklist_imports::insert(c, by_user_id, &sha256, &body, total, now)?;
            let row = blocklist_imports::find(c, id)?.ok_or_else(no_such_import)?;
            Ok((row, true))
        })
    })
    .await?;
    Ok((row, new))
}

/// The import `id`.
pub async fn find(app: &App, id: i64) -> Result<Import> {
    app.db
        .run(move |c| blocklist_imports::find(c, id)?.ok_or_else(no_such_import))
        .await
}

/// The latest imports, newest first.
pub async fn recent(app: &App) -> Result<Vec<Import>> {
    app.db.run(|c| Ok(blocklist_imports::recent(c, 20)?)).await
}

/// Waits up to `at_most` for the import to finish; where it stands then.
pub async fn settle(app: &App, id: i64, at_most: Duration) -> Result<Import> {
    let deadline = tokio::time::Instant::now() + at_most;
    loop {
        let view = find(app, id).await?;
        if !view.is_running() || tokio::time::Instant::now() >= deadline {
            return Ok(view);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Applies the imports a stopped process left unfinished (at start).
pub async fn resume(app: App) {
    let ids = match app.db.run(|c| Ok(blocklist_imports::running(c)?)).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "cannot look for unfinished blocklist imports");
            return;
        }
    };
    for id in ids {
        tracing::info!(import = id, "resuming a blocklist import");
        apply_logged(&app, id).await;
    }
}

async fn apply_logged(app: &App, id: i64) {
    match apply(app, id).await {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::DatabaseUnavailable || *app.stopping.borrow() => {
            // Left running: the next start resumes it.
            tracing::info!(import = id, error = %e, "blocklist import paused");
        }
        Err(e) => {
            tracing::error!(import = id, error = %e, "blocklist import failed");
            let message = e.message().to_string();
            let _ = app
                .db
                .transaction(move |c| {
                    Ok(blocklist_imports::finish(
                        c,
                        id,
                        Some(&message),
                        crate::time::now(),
                    )?)
                })
                .await;
        }
    }
}

/// Applies the rest of import `id`: the batches not yet saved, then the effects of its
/// blocks (follows, memberships, queued deliveries) once, the log entry, and the end. Stops
/// between batches when the server is stopping.
async fn apply(app: &App, id: i64) -> Result<()> {
    let (row, text) = app
        .db
        .run(move |c| {
            let row = blocklist_imports::find(c, id)?.ok_or_else(no_such_import)?;
            Ok((row, blocklist_imports::body(c, id)?))
        })
        .await?;
    if row.state != RUNNING {
        return Ok(());
    }
    let entries = blocklist_csv::parse(&text)?;
    let stopping = app.stopping.subscribe();
    let mut written = usize::try_from(row.written).unwrap_or(0);
    while written < entries.len() {
        if *stopping.borrow() {
            return Err(Error::new(
                ErrorCode::DatabaseUnavailable,
                "the server is stopping",
            ));
        }
        let began = std::time::Instant::now();
        let batch: Vec<BlocklistEntry> =
            entries.iter().skip(written).take(BATCH).cloned().collect();
        let n = batch.len();
        app.db
            .transaction(move |c| {
                let (mut added, mut updated) = (0, 0);
                for e in &batch {
                    let (old, _) = save_rule(c, &e.domain, &rule_of(e))?;
                    if old.is_none() {
                        added += 1;
                    } else {
                        updated += 1;
                    }
                }
                let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
                Ok(blocklist_imports::advance(
                    c,
                    id,
                    count(n),
                    count(added),
                    count(updated),
                )?)
            })
            .await?;
        written += n;
        tracing::debug!(import = id, written, "blocklist import");
        if app.db.backend() == Backend::Sqlite {
            // SQLite's waiting writers poll for the lock, up to 100 ms apart; a loop that
            // takes it again at once would starve them. Leave it free a while.
            tokio::time::sleep(began.elapsed().max(SQLITE_PAUSE)).await;
        }
    }
    // The new rules are in force at the doors first (the cache), then their effects on what
    // was already here are applied, with the policy as the cache holds it.
    app.policy.reload().await?;
    let policy = app.policy.current().await;
    let moderator = moderator_of(app, row.by_user_id).await?;
    app.db
        .transaction(move |c| {
            apply_blocks(c, &policy)?;
            let done = blocklist_imports::find(c, id)?.ok_or_else(no_such_import)?;
            let mut entry = LogEntry::new(moderator, Action::ImportBlocklist, TargetKind::Domain);
            entry.target_label = Some(format!("{} added, {} updated", done.added, done.updated));
            log::record(c, entry)?;
            Ok(blocklist_imports::finish(c, id, None, crate::time::now())?)
        })
        .await
}

/// The whole list, parsed, and none of it covering this server's own domain.
fn check(app: &App, text: &str) -> Result<Vec<BlocklistEntry>> {
    let entries = blocklist_csv::parse(text)?;
    let own = &app.config.domain;
    for (i, e) in entries.iter().enumerate() {
        if super::domain::candidates(own).contains(&e.domain) && e.severity != Severity::None {
            return Err(Error::new(
                ErrorCode::BlocklistInvalid,
                format!(
                    "entry {}: {} covers this server's own domain",
                    i + 1,
                    e.domain
                ),
            ));
        }
    }
    Ok(entries)
}

/// A line sets its domain's severity, flags and public comment; a rule's private comment
/// and allowlist entry are kept, and nothing is purged.
fn rule_of(e: &BlocklistEntry) -> RuleInput {
    RuleInput {
        severity: Some(e.severity),
        reject_media: Some(e.reject_media),
        reject_reports: Some(e.reject_reports),
        public_comment: Some(e.public_comment.clone().unwrap_or_default()),
        obfuscate: Some(e.obfuscate),
        ..RuleInput::default()
    }
}

async fn moderator_of(app: &App, user_id: Option<i64>) -> Result<Moderator> {
    let Some(user_id) = user_id else {
        return Ok(instance_moderator(app));
    };
    let user = app
        .db
        .run(move |c| Ok(crate::db::users::find(c, user_id)?))
        .await?;
    Ok(match user {
        Some(user) => admin_moderator(app, &user),
        None => instance_moderator(app),
    })
}

fn no_such_import() -> Error {
    Error::new(ErrorCode::NotFound, "no such import")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
