//! Queries on `received_activities`: which incoming activity ids were already processed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::received_activities;

pub fn seen(conn: &mut DbConnection, ap_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        received_activities::table.filter(received_activities::ap_id.eq(ap_id)),
    ))
    .get_result(conn)
}

/// Records an id; false if it was already recorded (so the activity must not be processed
/// again). Call inside the transaction that applies the activity, so both happen or neither.
pub fn record(conn: &mut DbConnection, ap_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let row = (
        received_activities::ap_id.eq(ap_id),
        received_activities::received_at.eq(now),
    );
    // `ON CONFLICT DO NOTHING` keeps a PostgreSQL transaction usable where a caught unique
    // violation would abort it; MultiConnection cannot express it, so each backend gets it.
    let insert = diesel::insert_into(received_activities::table)
        .values(row)
        .on_conflict_do_nothing();
    let inserted = match conn {
        DbConnection::Postgres(c) => insert.execute(c)?,
        DbConnection::Sqlite(c) => insert.execute(c)?,
    };
    Ok(inserted == 1)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    received_activities::table.count().get_result(conn)
}

/// Forgets ids received before `before`: a redelivery that late is not expected (senders
/// give up within days), and the table would otherwise grow without end.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(received_activities::table.filter(received_activities::received_at.lt(before)))
        .execute(conn)
}
