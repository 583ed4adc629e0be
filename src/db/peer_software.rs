//! Queries on `peer_software`: what each server runs, as its NodeInfo said.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::peer_software;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = peer_software)]
pub struct SoftwareRow {
    pub domain: String,
    pub name: String,
    pub version: String,
    pub checked_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, domain: &str) -> QueryResult<Option<SoftwareRow>> {
    peer_software::table
        .find(domain)
        .select(SoftwareRow::as_select())
        .first(conn)
        .optional()
}

/// What is known of these servers (those never asked are left out).
pub fn of_domains(conn: &mut DbConnection, domains: &[String]) -> QueryResult<Vec<SoftwareRow>> {
    peer_software::table
        .filter(peer_software::domain.eq_any(domains))
        .select(SoftwareRow::as_select())
        .load(conn)
}

/// Records what `domain` runs, replacing what was known.
pub fn put(
    conn: &mut DbConnection,
    domain: &str,
    name: &str,
    version: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(peer_software::table.find(domain))
        .set((
            peer_software::name.eq(name),
            peer_software::version.eq(version),
            peer_software::checked_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(peer_software::table)
            .values((
                peer_software::domain.eq(domain),
                peer_software::name.eq(name),
                peer_software::version.eq(version),
                peer_software::checked_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
