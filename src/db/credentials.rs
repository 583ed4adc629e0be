//! Queries on `credentials`: what moderators verified about members.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{credentials, memberships};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = credentials)]
pub struct CredentialRow {
    pub id: i64,
    pub membership_id: i64,
    pub name: String,
    pub verified_by: Option<i64>,
    /// The verifying moderator's username, kept if their account goes.
    pub verified_by_name: String,
    pub verified_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    membership_id: i64,
    name: &str,
    verified_by: i64,
    verified_by_name: &str,
    now: NaiveDateTime,
) -> QueryResult<CredentialRow> {
    diesel::insert_into(credentials::table)
        .values((
            credentials::membership_id.eq(membership_id),
            credentials::name.eq(name),
            credentials::verified_by.eq(verified_by),
            credentials::verified_by_name.eq(verified_by_name),
            credentials::verified_at.eq(now),
        ))
        .returning(credentials::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            credentials::table
                .find(id)
                .select(CredentialRow::as_select())
                .first(conn)
        })
}

pub fn of_membership(
    conn: &mut DbConnection,
    membership_id: i64,
) -> QueryResult<Vec<CredentialRow>> {
    credentials::table
        .filter(credentials::membership_id.eq(membership_id))
        .order(credentials::id.asc())
        .select(CredentialRow::as_select())
        .load(conn)
}

pub fn delete(conn: &mut DbConnection, membership_id: i64, name: &str) -> QueryResult<usize> {
    diesel::delete(
        credentials::table
            .filter(credentials::membership_id.eq(membership_id))
            .filter(credentials::name.eq(name)),
    )
    .execute(conn)
}

/// A local user's credentials in every local community, with the community's id.
pub fn of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(i64, CredentialRow)>> {
    credentials::table
        .inner_join(memberships::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::community_id.is_not_null())
        .filter(memberships::state.eq("accepted"))
        .order(credentials::id.asc())
        .select((
            memberships::community_id.assume_not_null(),
            CredentialRow::as_select(),
        ))
        .load(conn)
}

/// Ids of the accepted memberships of a community that hold credential `name`.
pub fn holders(conn: &mut DbConnection, community_id: i64, name: &str) -> QueryResult<Vec<i64>> {
    credentials::table
        .inner_join(memberships::table)
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .filter(credentials::name.eq(name))
        .select(memberships::id)
        .load(conn)
}
