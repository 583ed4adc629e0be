//! Queries on `notifications`: what local people are told.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::notifications;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub community_ap_id: Option<String>,
    pub message: String,
    pub is_read: bool,
    pub created_at: NaiveDateTime,
    /// The catalogue's message and its variables (JSON), for the reader's language.
    pub message_key: Option<String>,
    pub message_args: Option<String>,
}

/// A notification before it is stored.
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub community_ap_id: Option<&'a str>,
    /// In English.
    pub message: &'a str,
    pub message_key: &'a str,
    pub message_args: &'a str,
    pub now: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, n: &NewNotification<'_>) -> QueryResult<usize> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(n.user_id),
            notifications::kind.eq(n.kind),
            notifications::community_ap_id.eq(n.community_ap_id),
            notifications::message.eq(n.message),
            notifications::message_key.eq(n.message_key),
            notifications::message_args.eq(n.message_args),
            notifications::created_at.eq(n.now),
        ))
        .execute(conn)
}

/// A user's notifications, newest first, before the id `before`.
pub fn of_user(
    conn: &mut DbConnection,
    user_id: i64,
    before: i64,
    limit: i64,
) -> QueryResult<Vec<NotificationRow>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::id.lt(before))
        .order(notifications::id.desc())
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)
}

pub fn mark_read(conn: &mut DbConnection, user_id: i64, up_to: i64) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::id.le(up_to)),
    )
    .set(notifications::is_read.eq(true))
    .execute(conn)
}

/// How many of a user's notifications are unread (the header's badge).
pub fn unread_count(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::is_read.eq(false))
        .count()
        .get_result(conn)
}
