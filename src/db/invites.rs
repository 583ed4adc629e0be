//! Queries on `invites`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::invites;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub id: i64,
    pub community_id: i64,
    pub code: String,
    pub created_by: Option<i64>,
    pub invitee_ap_id: Option<String>,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = invites)]
pub struct NewInvite {
    pub community_id: i64,
    pub code: String,
    pub created_by: Option<i64>,
    pub invitee_ap_id: Option<String>,
    pub max_uses: Option<i32>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewInvite) -> QueryResult<InviteRow> {
    diesel::insert_into(invites::table)
        .values(new)
        .returning(invites::id)
        .get_result::<i64>(conn)
        .and_then(|id| find(conn, id)?.ok_or(diesel::result::Error::NotFound))
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<InviteRow>> {
    invites::table
        .filter(invites::code.eq(code))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<InviteRow>> {
    invites::table
        .find(id)
        .select(InviteRow::as_select())
        .first(conn)
        .optional()
}

/// Counts one use, only while the invite still has one left (so two people racing for the
/// last use cannot both have it). Returns whether the use was counted.
pub fn use_once(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    let n = diesel::update(
        invites::table.find(id).filter(
            invites::max_uses
                .is_null()
                .or(invites::uses.lt(invites::max_uses.assume_not_null())),
        ),
    )
    .set(invites::uses.eq(invites::uses + 1))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn of_community(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<InviteRow>> {
    invites::table
        .filter(invites::community_id.eq(community_id))
        .order(invites::id.desc())
        .select(InviteRow::as_select())
        .load(conn)
}

pub fn revoke(conn: &mut DbConnection, community_id: i64, id: i64) -> QueryResult<usize> {
    diesel::update(
        invites::table
            .find(id)
            .filter(invites::community_id.eq(community_id)),
    )
    .set(invites::revoked.eq(true))
    .execute(conn)
}
