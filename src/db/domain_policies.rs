//! Queries on `domain_policies`: the admins' rule for each domain (block, limit, allow…).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::domain_policies;

/// One domain's rule, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = domain_policies)]
#[diesel(treat_none_as_null = true)]
pub struct DomainPolicyRow {
    /// `host` or `host:port`, lowercase.
    pub domain: String,
    /// `none`, `limit` or `block`.
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    /// Listed for allowlist mode.
    pub allowed: bool,
    /// Shown on the public list of moderated servers.
    pub public_comment: Option<String>,
    /// For admins only.
    pub private_comment: Option<String>,
    /// The public list shows the domain partly hidden.
    pub obfuscate: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Every rule, by domain.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<DomainPolicyRow>> {
    domain_policies::table
        .order(domain_policies::domain.asc())
        .select(DomainPolicyRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, domain: &str) -> QueryResult<Option<DomainPolicyRow>> {
    domain_policies::table
        .find(domain)
        .select(DomainPolicyRow::as_select())
        .first(conn)
        .optional()
}

/// The rules stored for any of `domains` (see `federation::policy::domain::candidates`).
pub fn among(conn: &mut DbConnection, domains: &[String]) -> QueryResult<Vec<DomainPolicyRow>> {
    domain_policies::table
        .filter(domain_policies::domain.eq_any(domains))
        .select(DomainPolicyRow::as_select())
        .load(conn)
}

/// Whether any rule says `allowed` (allowlist mode with nobody listed federates with no one).
pub fn any_allowed(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        domain_policies::table.filter(domain_policies::allowed.eq(true)),
    ))
    .get_result(conn)
}

/// Writes `row` over the domain's rule, or creates it. Inside the caller's transaction; a
/// rule's `created_at` is kept when it exists.
pub fn save(conn: &mut DbConnection, row: &DomainPolicyRow) -> QueryResult<()> {
    let existing = find(conn, &row.domain)?;
    match existing {
        Some(old) => {
            let mut row = row.clone();
            row.created_at = old.created_at;
            diesel::update(domain_policies::table.find(&row.domain))
                .set(&row)
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(domain_policies::table)
                .values(row)
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, domain: &str) -> QueryResult<usize> {
    diesel::delete(domain_policies::table.find(domain)).execute(conn)
}

/// A cheap summary of the stored rules (how many, the latest change), to tell whether they
/// changed without reading them all.
pub fn fingerprint(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    domain_policies::table
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(domain_policies::updated_at),
        ))
        .first(conn)
}
