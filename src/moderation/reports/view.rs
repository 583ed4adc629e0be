//! A report as the API shows it to the people who handle it (and to its reporter).

use serde::Serialize;

use super::target::{Described, describe};
use crate::accounts::User;
use crate::db::reports::ReportRow;
use crate::db::{DbConnection, communities, users};
use crate::discussions::Author;
use crate::discussions::views::{self, Here};
use crate::error::Result;
use crate::time::rfc3339;

/// What the report is about.
pub type ReportTarget = Described;

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub id: i64,
    /// `open`, `resolved` or `dismissed`.
    pub status: String,
    pub reason: String,
    /// Who reported: a person here, or a remote actor (for Mastodon, its instance actor).
    /// Never shown to the reported person.
    pub reporter: Option<Author>,
    pub target: ReportTarget,
    /// `!name@host` of the community whose moderators handle it; `None`: the instance.
    pub community: Option<String>,
    /// Every ActivityPub id the report named.
    pub objects: Vec<String>,
    /// The reporter asked for it to be sent to the origin server.
    pub forward: bool,
    pub forwarded_at: Option<String>,
    pub resolution_note: Option<String>,
    /// `@name@host` of the moderator who decided.
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub created_at: String,
}

/// The view of `row` for `viewer`.
pub fn build(
    c: &mut DbConnection,
    here: &Here,
    viewer: &User,
    row: &ReportRow,
) -> Result<ReportView> {
    let target = describe(c, here, row)?;
    let viewer_is_reported = target
        .person
        .as_ref()
        .is_some_and(|p| p.local && p.actor_id == here.urls.person(&viewer.username));
    let reporter = if viewer_is_reported {
        None
    } else {
        views::author(c, here, row.reporter_user_id, row.reporter_remote_id)?
    };
    let community = row
        .community_id
        .map(|id| communities::find(c, id))
        .transpose()?
        .flatten()
        .map(|community| format!("!{}@{}", community.name, here.domain));
    let resolved_by = row
        .resolved_by
        .map(|id| users::find(c, id))
        .transpose()?
        .flatten()
        .map(|u| format!("@{}@{}", u.username, here.domain));
    Ok(ReportView {
        id: row.id,
        status: row.status.clone(),
        reason: row.reason.clone(),
        reporter,
        target,
        community,
        objects: serde_json::from_str(&row.object_ap_ids).unwrap_or_default(),
        forward: row.forward,
        forwarded_at: row.forwarded_at.map(rfc3339),
        resolution_note: row.resolution_note.clone(),
        resolved_by,
        resolved_at: row.resolved_at.map(rfc3339),
        created_at: rfc3339(row.created_at),
    })
}
