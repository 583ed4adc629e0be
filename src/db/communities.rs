//! Queries on `communities`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{communities, memberships};

/// A community hosted on this server.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub title: String,
    /// Markdown, as written by its moderators.
    pub summary: Option<String>,
    pub language: Option<String>,
    pub discoverable: bool,
    pub public_key_pem: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `public`, `unlisted` or `private` (see `membership::Visibility`).
    pub visibility: String,
    /// `open`, `approval` or `invite` (see `membership::JoinPolicy`).
    pub join_policy: String,
    /// `followers`, `members` or `moderators` (see `membership::PostingPolicy`).
    pub posting_policy: String,
    pub verified_posting_only: bool,
    /// JSON list of the rules, in order.
    pub rules: String,
    /// JSON list of `membership::Question`.
    pub questions: String,
    /// Markdown sent to each new member.
    pub welcome_message: Option<String>,
    pub member_list_public: bool,
}

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

/// Makes `user_id` a member of the community with `role` (its creator, as owner).
/// The names of local communities, by id (for listings that mix communities).
pub fn names_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    communities::table
        .filter(communities::id.eq_any(ids))
        .select((communities::id, communities::name))
        .load(conn)
}

pub fn add_member(
    conn: &mut DbConnection,
    community_id: i64,
    user_id: i64,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::community_id.eq(community_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role),
            memberships::state.eq("accepted"),
            memberships::via.eq("api"),
            memberships::rules_accepted_at.eq(now),
            memberships::joined_at.eq(now),
            memberships::created_at.eq(now),
            memberships::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Usernames of a community's owners and moderators, longest-serving first.
pub fn moderator_names(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<String>> {
    super::memberships::moderator_names(conn, community_id)
}

/// The settings moderators change, written together.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = communities)]
#[diesel(treat_none_as_null = true)]
pub struct SettingsChange {
    pub title: String,
    pub summary: Option<String>,
    pub language: Option<String>,
    pub visibility: String,
    pub join_policy: String,
    pub posting_policy: String,
    pub verified_posting_only: bool,
    pub rules: String,
    pub questions: String,
    pub welcome_message: Option<String>,
    pub member_list_public: bool,
    pub discoverable: bool,
    pub updated_at: NaiveDateTime,
}

pub fn update_settings(
    conn: &mut DbConnection,
    id: i64,
    change: &SettingsChange,
) -> QueryResult<usize> {
    diesel::update(communities::table.find(id))
        .set(change)
        .execute(conn)
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
        memberships::table
            .filter(memberships::community_id.eq(community_id))
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::state.eq("accepted"))
            .filter(memberships::role.eq_any(["owner", "moderator"])),
    ))
    .get_result(conn)
}

/// The communities listed in the directory, by name; at most `limit`.
pub fn discoverable(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Community>> {
    communities::table
        .filter(communities::discoverable.eq(true))
        .order(communities::name.asc())
        .limit(limit)
        .select(Community::as_select())
        .load(conn)
}
