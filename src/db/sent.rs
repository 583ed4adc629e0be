//! Queries on `sent_activities`: what this server published, kept to be served at its id.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::sent_activities;

pub fn store(conn: &mut DbConnection, ap_id: &str, body: &str) -> QueryResult<usize> {
    diesel::insert_into(sent_activities::table)
        .values((
            sent_activities::ap_id.eq(ap_id),
            sent_activities::body.eq(body),
            sent_activities::created_at.eq(crate::time::now()),
        ))
        .execute(conn)
}

pub fn find(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<String>> {
    sent_activities::table
        .find(ap_id)
        .select(sent_activities::body)
        .first(conn)
        .optional()
}

/// Forgets activities published before `before`; they are fetched, if ever, within days.
pub fn prune(conn: &mut DbConnection, before: chrono::NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sent_activities::table.filter(sent_activities::created_at.lt(before)))
        .execute(conn)
}
