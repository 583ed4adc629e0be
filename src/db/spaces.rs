//! Queries on `spaces`: the rooms of a community, each with its audience.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::spaces;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = spaces)]
pub struct SpaceRow {
    pub id: i64,
    pub community_id: i64,
    pub slug: String,
    pub title: String,
    /// `everyone`, `members` or `credential`.
    pub audience: String,
    /// The credential a member must hold when the audience is `credential`.
    pub credential: Option<String>,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
}

/// The space every community starts with, open to everyone who can see the community.
pub fn create_default(
    conn: &mut DbConnection,
    community_id: i64,
    now: NaiveDateTime,
) -> QueryResult<SpaceRow> {
    insert(
        conn,
        community_id,
        "general",
        "General",
        "everyone",
        None,
        true,
        now,
    )
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut DbConnection,
    community_id: i64,
    slug: &str,
    title: &str,
    audience: &str,
    credential: Option<&str>,
    is_default: bool,
    now: NaiveDateTime,
) -> QueryResult<SpaceRow> {
    diesel::insert_into(spaces::table)
        .values((
            spaces::community_id.eq(community_id),
            spaces::slug.eq(slug),
            spaces::title.eq(title),
            spaces::audience.eq(audience),
            spaces::credential.eq(credential),
            spaces::is_default.eq(is_default),
            spaces::created_at.eq(now),
        ))
        .returning(spaces::id)
        .get_result::<i64>(conn)
        .and_then(|id| find(conn, id)?.ok_or(diesel::result::Error::NotFound))
}

pub fn of_community(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<SpaceRow>> {
    spaces::table
        .filter(spaces::community_id.eq(community_id))
        .order((spaces::is_default.desc(), spaces::id.asc()))
        .select(SpaceRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<SpaceRow>> {
    spaces::table
        .find(id)
        .select(SpaceRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_slug(
    conn: &mut DbConnection,
    community_id: i64,
    slug: &str,
) -> QueryResult<Option<SpaceRow>> {
    spaces::table
        .filter(spaces::community_id.eq(community_id))
        .filter(spaces::slug.eq(slug))
        .select(SpaceRow::as_select())
        .first(conn)
        .optional()
}

pub fn default_of(conn: &mut DbConnection, community_id: i64) -> QueryResult<Option<SpaceRow>> {
    spaces::table
        .filter(spaces::community_id.eq(community_id))
        .filter(spaces::is_default.eq(true))
        .select(SpaceRow::as_select())
        .first(conn)
        .optional()
}
