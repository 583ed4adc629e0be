//! Queries on `reports`: what people and other servers reported, and what moderators
//! decided.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::reports;

/// One report, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: i64,
    /// The Flag received, or the one sent when the report was forwarded.
    pub ap_id: Option<String>,
    pub reporter_user_id: Option<i64>,
    pub reporter_remote_id: Option<i64>,
    /// The local community whose moderators handle it; `None`: the instance's admins.
    pub community_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub person_user_id: Option<i64>,
    pub person_remote_id: Option<i64>,
    /// A JSON array of the ActivityPub ids the report names.
    pub object_ap_ids: String,
    pub reason: String,
    pub forward: bool,
    pub forwarded_at: Option<NaiveDateTime>,
    pub status: String,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A report to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport {
    pub ap_id: Option<String>,
    pub reporter_user_id: Option<i64>,
    pub reporter_remote_id: Option<i64>,
    pub community_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub person_user_id: Option<i64>,
    pub person_remote_id: Option<i64>,
    pub object_ap_ids: String,
    pub reason: String,
    pub forward: bool,
    pub created_at: NaiveDateTime,
    /// Unique while the report is open: who reported what (local reporters only).
    pub open_key: Option<String>,
}

/// The key of an open report by the local person `reporter` of what these ids name.
pub fn open_key(
    reporter: i64,
    post_id: Option<i64>,
    comment_id: Option<i64>,
    person_user_id: Option<i64>,
    person_remote_id: Option<i64>,
) -> String {
    let part = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    format!(
        "{reporter}:{}:{}:{}:{}",
        part(post_id),
        part(comment_id),
        part(person_user_id),
        part(person_remote_id)
    )
}

pub fn insert(conn: &mut DbConnection, new: &NewReport) -> QueryResult<i64> {
    diesel::insert_into(reports::table)
        .values(new)
        .returning(reports::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ReportRow>> {
    reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_ap_id(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<ReportRow>> {
    reports::table
        .filter(reports::ap_id.eq(ap_id))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// What a report is about, to find a reporter's earlier open report of the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Post(i64),
    Comment(i64),
    LocalPerson(i64),
    RemotePerson(i64),
}

/// The open report `user_id` made of `target`, if there is one.
pub fn open_by_reporter(
    conn: &mut DbConnection,
    user_id: i64,
    target: Reported,
) -> QueryResult<Option<ReportRow>> {
    let query = reports::table
        .filter(reports::reporter_user_id.eq(user_id))
        .filter(reports::status.eq("open"))
        .select(ReportRow::as_select())
        .into_boxed();
    let query = match target {
        Reported::Post(id) => query
            .filter(reports::post_id.eq(id))
            .filter(reports::comment_id.is_null()),
        Reported::Comment(id) => query.filter(reports::comment_id.eq(id)),
        Reported::LocalPerson(id) => query
            .filter(reports::person_user_id.eq(id))
            .filter(reports::post_id.is_null())
            .filter(reports::comment_id.is_null()),
        Reported::RemotePerson(id) => query
            .filter(reports::person_remote_id.eq(id))
            .filter(reports::post_id.is_null())
            .filter(reports::comment_id.is_null()),
    };
    query.order(reports::id.desc()).first(conn).optional()
}

/// Which queue a page of reports comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// A local community's.
    Community(i64),
    /// The instance's (reports with no community).
    Instance,
    /// Every report.
    All,
}

/// A page of a queue, newest first, optionally only in `status`, older than `before`.
pub fn page(
    conn: &mut DbConnection,
    queue: Queue,
    status: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    let mut query = reports::table.select(ReportRow::as_select()).into_boxed();
    query = match queue {
        Queue::Community(id) => query.filter(reports::community_id.eq(id)),
        Queue::Instance => query.filter(reports::community_id.is_null()),
        Queue::All => query,
    };
    if let Some(status) = status {
        query = query.filter(reports::status.eq(status.to_string()));
    }
    if let Some(before) = before {
        query = query.filter(reports::id.lt(before));
    }
    query.order(reports::id.desc()).limit(limit).load(conn)
}

/// Settles an open report; 0 when it was no longer open (someone decided first).
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    status: &str,
    note: Option<&str>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(reports::table.find(id).filter(reports::status.eq("open")))
        .set((
            reports::status.eq(status),
            reports::open_key.eq(None::<String>),
            reports::resolution_note.eq(note),
            reports::resolved_by.eq(by),
            reports::resolved_at.eq(now),
        ))
        .execute(conn)
}

/// Records that the report was sent to the origin server as the Flag `ap_id`.
pub fn set_forwarded(
    conn: &mut DbConnection,
    id: i64,
    ap_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(reports::table.find(id))
        .set((reports::ap_id.eq(ap_id), reports::forwarded_at.eq(now)))
        .execute(conn)
}
