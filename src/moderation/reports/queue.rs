//! The queues: moderators and admins list reports, read one, and resolve or dismiss it.

use super::target::{describe, log_label};
use super::view::{self, ReportView};
use super::{MAX_REASON_CHARS, ReportStatus, invalid};
use crate::accounts::User;
use crate::accounts::notify;
use crate::app::App;
use crate::db::memberships::Member;
use crate::db::reports::{self, Queue, ReportRow};
use crate::db::{DbConnection, communities};
use crate::discussions::posts::here;
use crate::discussions::views::Here;
use crate::error::{Error, ErrorCode, Result};
use crate::i18n::Message;
use crate::membership::access;
use crate::moderation::log::{self, Action, LogEntry, Moderator, TargetKind};

/// Which reports a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The queue of the local community with this name (its moderators, admins).
    Community(String),
    /// The instance's queue (admins).
    Instance,
    /// Every queue (admins).
    All,
}

/// What a moderator decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Something was done about it.
    Resolve,
    /// Nothing needed doing.
    Dismiss,
}

/// A page of reports, newest first, and the cursor for the next one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportPage {
    pub items: Vec<ReportView>,
    pub next_before: Option<i64>,
}

/// Reports of `scope`, in `status` (all statuses when `None`).
pub async fn list(
    app: &App,
    user: &User,
    scope: Scope,
    status: Option<ReportStatus>,
    before: Option<i64>,
    limit: i64,
) -> Result<ReportPage> {
    let limit = limit.clamp(1, 200);
    let here = here(app);
    let user = user.clone();
    app.db
        .run(move |c| {
            let queue = match &scope {
                Scope::Community(name) => {
                    let community = communities::find_by_name(c, name)?.ok_or_else(|| {
                        Error::new(ErrorCode::NotFound, format!("no community '{name}'"))
                    })?;
                    if !moderates(c, &user, community.id)? {
                        return Err(not_a_moderator());
                    }
                    Queue::Community(community.id)
                }
                Scope::Instance | Scope::All if !user.is_admin => return Err(not_a_moderator()),
                Scope::Instance => Queue::Instance,
                Scope::All => Queue::All,
            };
            let rows = reports::page(c, queue, status.map(ReportStatus::as_str), before, limit)?;
            let next_before = (rows.len() as i64 == limit)
                .then(|| rows.last().map(|r| r.id))
                .flatten();
            let items = rows
                .iter()
                .map(|row| view::build(c, &here, &user, row))
                .collect::<Result<_>>()?;
            Ok(ReportPage { items, next_before })
        })
        .await
}

/// One report, for those who handle it and for its reporter.
pub async fn get(app: &App, user: &User, id: i64) -> Result<ReportView> {
    let here = here(app);
    let user = user.clone();
    app.db
        .run(move |c| {
            let row = find(c, id)?;
            if row.reporter_user_id != Some(user.id) && !handles(c, &user, &row)? {
                return Err(not_a_moderator());
            }
            view::build(c, &here, &user, &row)
        })
        .await
}

enum Outcome {
    Decided(Box<ReportView>),
    Refused,
}

/// Resolves or dismisses an open report, with an optional note, and records it in the
/// moderation log. Someone who does not handle the report is refused, and the attempt is
/// recorded for admins.
pub async fn decide(
    app: &App,
    user: &User,
    id: i64,
    decision: Decision,
    note: Option<String>,
) -> Result<ReportView> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_REASON_CHARS)
    {
        return Err(invalid(format!(
            "a note is at most {MAX_REASON_CHARS} characters"
        )));
    }
    let here = here(app);
    let moderator = user.clone();
    let outcome = app
        .db
        .transaction(move |c| {
            let row = find(c, id)?;
            let action = match decision {
                Decision::Resolve => Action::ResolveReport,
                Decision::Dismiss => Action::DismissReport,
            };
            let entry = log_entry(c, &here, &moderator, &row, action, note.clone())?;
            if !handles(c, &moderator, &row)? {
                log::record_refused(c, entry)?;
                return Ok(Outcome::Refused);
            }
            let status = match decision {
                Decision::Resolve => ReportStatus::Resolved,
                Decision::Dismiss => ReportStatus::Dismissed,
            };
            let now = crate::time::now();
            if row.status != ReportStatus::Open.as_str()
                || reports::decide(
                    c,
                    row.id,
                    status.as_str(),
                    note.as_deref(),
                    moderator.id,
                    now,
                )? == 0
            {
                return Err(Error::new(
                    ErrorCode::ReportNotOpen,
                    format!("report #{id} was already {}", row.status),
                ));
            }
            log::record(c, entry)?;
            if let Some(reporter) = row.reporter_user_id {
                let key = match status {
                    ReportStatus::Dismissed => "notice-report-dismissed",
                    _ => "notice-report-resolved",
                };
                let message = Message::new(key).arg("id", id.to_string());
                notify(c, reporter, "report_decided", None, &message, now)?;
            }
            let row = find(c, id)?;
            Ok(Outcome::Decided(Box::new(view::build(
                c, &here, &moderator, &row,
            )?)))
        })
        .await?;
    match outcome {
        Outcome::Decided(view) => Ok(*view),
        Outcome::Refused => Err(not_a_moderator()),
    }
}

fn log_entry(
    c: &mut DbConnection,
    here: &Here,
    moderator: &User,
    row: &ReportRow,
    action: Action,
    note: Option<String>,
) -> Result<LogEntry> {
    let target = describe(c, here, row)?;
    let community = row
        .community_id
        .map(|id| communities::find(c, id))
        .transpose()?
        .flatten();
    let mut entry = LogEntry::new(
        Moderator {
            user_id: Some(moderator.id),
            ap_id: here.urls.person(&moderator.username),
        },
        action,
        TargetKind::Report,
    );
    entry.community_id = community.as_ref().map(|cm| cm.id);
    entry.community_ap_id = community.map(|cm| here.urls.community(&cm.name));
    entry.target_ap_id = target.ap_id.clone();
    entry.target_label = Some(log_label(row.id, &target));
    entry.reason = note;
    Ok(entry)
}

fn find(c: &mut DbConnection, id: i64) -> Result<ReportRow> {
    reports::find(c, id)?.ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no report #{id}")))
}

/// Admins handle every report; a community's moderators handle its queue.
fn handles(c: &mut DbConnection, user: &User, row: &ReportRow) -> Result<bool> {
    if user.is_admin {
        return Ok(true);
    }
    match row.community_id {
        Some(id) => moderates(c, user, id),
        None => Ok(false),
    }
}

fn moderates(c: &mut DbConnection, user: &User, community_id: i64) -> Result<bool> {
    Ok(access::standing(c, community_id, Some(Member::Local(user.id)), user.is_admin)?.moderates())
}

fn not_a_moderator() -> Error {
    Error::new(
        ErrorCode::NotAModerator,
        "only the moderators of the report's community (or the instance's admins) handle it",
    )
}
