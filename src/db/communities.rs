//! Queries on `communities` and `community_moderators`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{communities, community_moderators, users};
use crate::communities::Community;

#[derive(Insertable)]
#[diesel(table_name = communities)]
pub struct NewCommunity<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub language: Option<&'a str>,
    pub public_key_pem: &'a str,
    pub private_key_pem: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewCommunity<'_>) -> QueryResult<i64> {
    diesel::insert_into(communities::table)
        .values(new)
        .returning(communities::id)
        .get_result(conn)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Community>> {
    communities::table
        .filter(communities::name.eq(name))
        .select(Community::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Community>> {
    communities::table
        .find(id)
        .select(Community::as_select())
        .first(conn)
        .optional()
}

pub fn add_moderator(
    conn: &mut DbConnection,
    community_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(community_moderators::table)
        .values((
            community_moderators::community_id.eq(community_id),
            community_moderators::user_id.eq(user_id),
            community_moderators::created_at.eq(now),
        ))
        .execute(conn)
}

/// Usernames of a community's moderators, longest-serving first.
pub fn moderator_names(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<String>> {
    community_moderators::table
        .inner_join(users::table)
        .filter(community_moderators::community_id.eq(community_id))
        .order(community_moderators::created_at.asc())
        .select(users::username)
        .load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    communities::table.count().get_result(conn)
}

/// The community's private key, kept out of [`Community`] so it is only read to sign.
pub fn private_key(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    communities::table
        .find(id)
        .select(communities::private_key_pem)
        .first(conn)
        .optional()
}

pub fn is_moderator(conn: &mut DbConnection, community_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        community_moderators::table
            .filter(community_moderators::community_id.eq(community_id))
            .filter(community_moderators::user_id.eq(user_id)),
    ))
    .get_result(conn)
}
