//! Queries on `blocklist_imports`: blocklists being applied in the background, and done.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::blocklist_imports;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blocklist_imports)]
pub struct ImportRow {
    pub id: i64,
    pub by_user_id: Option<i64>,
    pub content_sha256: String,
    pub state: String,
    pub total: i32,
    pub written: i32,
    pub added: i32,
    pub updated: i32,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

impl ImportRow {
    pub fn is_running(&self) -> bool {
        self.state == RUNNING
    }
}

pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// Records a new import, running. Fails with a unique violation when the same list is
/// already being applied.
pub fn insert(
    conn: &mut DbConnection,
    by_user_id: Option<i64>,
    sha256: &str,
    body: &str,
    total: i32,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(blocklist_imports::table)
        .values((
            blocklist_imports::by_user_id.eq(by_user_id),
            blocklist_imports::content_sha256.eq(sha256),
            blocklist_imports::running_key.eq(sha256),
            blocklist_imports::body.eq(body),
            blocklist_imports::state.eq(RUNNING),
            blocklist_imports::total.eq(total),
            blocklist_imports::created_at.eq(now),
        ))
        .returning(blocklist_imports::id)
        .get_result(conn)
}

/// The import of this list being applied now, if there is one.
pub fn running_with(conn: &mut DbConnection, sha256: &str) -> QueryResult<Option<ImportRow>> {
    blocklist_imports::table
        .filter(blocklist_imports::running_key.eq(sha256))
        .select(ImportRow::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ImportRow>> {
    blocklist_imports::table
        .find(id)
        .select(ImportRow::as_select())
        .first(conn)
        .optional()
}

/// The list of a running import (empty once it is finished).
pub fn body(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    blocklist_imports::table
        .find(id)
        .select(blocklist_imports::body)
        .first(conn)
}

/// Imports still running: those a stopped process left unfinished, oldest first.
pub fn running(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    blocklist_imports::table
        .filter(blocklist_imports::state.eq(RUNNING))
        .order(blocklist_imports::id.asc())
        .select(blocklist_imports::id)
        .load(conn)
}

/// The latest imports, newest first.
pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<ImportRow>> {
    blocklist_imports::table
        .order(blocklist_imports::id.desc())
        .limit(limit)
        .select(ImportRow::as_select())
        .load(conn)
}

/// Saves the progress of one batch, in the batch's own transaction.
pub fn advance(
    conn: &mut DbConnection,
    id: i64,
    written: i32,
    added: i32,
    updated: i32,
) -> QueryResult<()> {
    diesel::update(blocklist_imports::table.find(id))
        .set((
            blocklist_imports::written.eq(blocklist_imports::written + written),
            blocklist_imports::added.eq(blocklist_imports::added + added),
            blocklist_imports::updated.eq(blocklist_imports::updated + updated),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ends an import: done, or failed with why. The list is let go, and so is its key.
pub fn finish(
    conn: &mut DbConnection,
    id: i64,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(blocklist_imports::table.find(id))
        .set((
            blocklist_imports::state.eq(if error.is_some() { FAILED } else { DONE }),
            blocklist_imports::error.eq(error),
            blocklist_imports::running_key.eq(None::<String>),
            blocklist_imports::body.eq(""),
            blocklist_imports::finished_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}
