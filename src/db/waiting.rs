//! What waits for moderators and admins: applications to decide, reports to handle,
//! sign-ups to approve. Counted for the header of every page they see, so each count is one
//! grouped query.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{communities, memberships, reports, users};

/// The local communities `user_id` owns or moderates: id, name and title, by name.
pub fn moderated_by(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<(i64, String, String)>> {
    memberships::table
        .inner_join(communities::table.on(memberships::community_id.eq(communities::id.nullable())))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::state.eq("accepted"))
        .filter(memberships::role.eq_any(["owner", "moderator"]))
        .order(communities::name.asc())
        .select((communities::id, communities::name, communities::title))
        .load(conn)
}

/// Applications waiting, per community among `ids`.
pub fn pending_applications(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<Vec<(Option<i64>, i64)>> {
    memberships::table
        .filter(memberships::community_id.eq_any(ids))
        .filter(memberships::state.eq("pending"))
        .group_by(memberships::community_id)
        .select((memberships::community_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Open reports, per community among `ids`.
pub fn open_reports(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(Option<i64>, i64)>> {
    reports::table
        .filter(reports::community_id.eq_any(ids))
        .filter(reports::status.eq("open"))
        .group_by(reports::community_id)
        .select((reports::community_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Open reports in the instance's own queue (people, content elsewhere).
pub fn open_instance_reports(conn: &mut DbConnection) -> QueryResult<i64> {
    reports::table
        .filter(reports::community_id.is_null())
        .filter(reports::status.eq("open"))
        .count()
        .get_result(conn)
}

/// Sign-ups waiting for an admin.
pub fn pending_signups(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::status.eq("pending"))
        .count()
        .get_result(conn)
}
