//! Queries on `community_domain_blocks`: the servers a local community's moderators refuse.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::community_domain_blocks;

/// One blocked domain of one community.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = community_domain_blocks)]
pub struct CommunityDomainBlockRow {
    pub community_id: i64,
    pub domain: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Every community's blocked domains, as (community id, domain).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    community_domain_blocks::table
        .select((
            community_domain_blocks::community_id,
            community_domain_blocks::domain,
        ))
        .load(conn)
}

pub fn of_community(
    conn: &mut DbConnection,
    community_id: i64,
) -> QueryResult<Vec<CommunityDomainBlockRow>> {
    community_domain_blocks::table
        .filter(community_domain_blocks::community_id.eq(community_id))
        .order(community_domain_blocks::domain.asc())
        .select(CommunityDomainBlockRow::as_select())
        .load(conn)
}

/// Adds the block; false when the community already had it.
pub fn insert(
    conn: &mut DbConnection,
    community_id: i64,
    domain: &str,
    created_by: Option<i64>,
) -> QueryResult<bool> {
    let exists = diesel::select(diesel::dsl::exists(
        community_domain_blocks::table
            .filter(community_domain_blocks::community_id.eq(community_id))
            .filter(community_domain_blocks::domain.eq(domain)),
    ))
    .get_result::<bool>(conn)?;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(community_domain_blocks::table)
        .values((
            community_domain_blocks::community_id.eq(community_id),
            community_domain_blocks::domain.eq(domain),
            community_domain_blocks::created_by.eq(created_by),
            community_domain_blocks::created_at.eq(crate::time::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn delete(conn: &mut DbConnection, community_id: i64, domain: &str) -> QueryResult<usize> {
    diesel::delete(
        community_domain_blocks::table
            .filter(community_domain_blocks::community_id.eq(community_id))
            .filter(community_domain_blocks::domain.eq(domain)),
    )
    .execute(conn)
}

/// How many blocks there are and the latest one, to tell whether they changed.
pub fn fingerprint(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    community_domain_blocks::table
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(community_domain_blocks::created_at),
        ))
        .first(conn)
}
