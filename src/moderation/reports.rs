//! Reports: people here and other servers point moderators at a post, a comment or a
//! person that breaks the rules.
//!
//! A report lands in one queue. Content in a local community goes to that community's
//! moderators, who know its rules best; a person, content in a community elsewhere, or a
//! report that names no community goes to the instance's admins. Admins see every queue.
//! Whoever handles a queue is told of each new report by a notification.
//!
//! Reports from other servers arrive as `Flag` (Lemmy, Mastodon, mbin), see
//! [`incoming`]; a person here may ask for their report to be sent to the server the
//! reported content comes from, as a `Flag` from this instance that does not name them
//! (`forward.rs`). Resolving or dismissing a report is written to the moderation log.

mod file;
mod forward;
pub mod incoming;
mod queue;
mod route;
mod target;
mod view;

pub use file::{ReportInput, file};
pub use incoming::{FlagReport, reports_accepted_from};
pub use queue::{Decision, ReportPage, Scope, decide, get, list};
pub use view::{ReportTarget, ReportView};

use crate::error::{Error, ErrorCode, Result};

/// Longest reason (and resolution note) kept.
pub const MAX_REASON_CHARS: usize = 2_000;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Open,
    Resolved,
    Dismissed,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Resolved => "resolved",
            ReportStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        match s {
            "open" => Some(ReportStatus::Open),
            "resolved" => Some(ReportStatus::Resolved),
            "dismissed" => Some(ReportStatus::Dismissed),
            _ => None,
        }
    }
}

/// A reason written here: trimmed, 1 to [`MAX_REASON_CHARS`] characters.
fn check_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(invalid(format!(
            "a report needs a reason of 1 to {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(reason.to_string())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ReportInvalid, message)
}
