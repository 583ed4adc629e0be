//! Queries on `instances`: the delivery health of each server copse sends to.
//!
//! Every statement that changes a counter does so in SQL (`consecutive_failures + 1`,
//! `failing_since` set only when empty), never by reading and writing back, so the outcomes
//! of several deliveries to one server finishing at once, in one process or several, all
//! count.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::instances;

/// What copse knows of one server's health as a delivery destination.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instances)]
pub struct InstanceRow {
    /// host[:port], as in `deliveries.domain`.
    pub domain: String,
    /// Failed attempts since the last answer.
    pub consecutive_failures: i32,
    /// The first failure after the last answer; `None` while the server answers.
    pub failing_since: Option<NaiveDateTime>,
    /// The latest failure.
    pub last_failure_at: Option<NaiveDateTime>,
    /// Why the latest attempt failed.
    pub last_error: Option<String>,
    /// The latest answer to a delivery.
    pub last_success_at: Option<NaiveDateTime>,
    /// Failing for so long that its deliveries are parked until it is heard from.
    pub unreachable: bool,
    /// When the row last changed.
    pub updated_at: NaiveDateTime,
}

/// How fresh `last_success_at` is kept for a healthy server.
pub const SUCCESS_PRECISION: TimeDelta = TimeDelta::minutes(1);

/// The row for `domain`, if copse ever delivered to it.
pub fn find(conn: &mut DbConnection, domain: &str) -> QueryResult<Option<InstanceRow>> {
    instances::table
        .find(domain)
        .select(InstanceRow::as_select())
        .first(conn)
        .optional()
}

/// Creates the row for `domain` if it is missing; a no-op otherwise.
fn ensure(conn: &mut DbConnection, domain: &str, now: NaiveDateTime) -> QueryResult<usize> {
    // `ON CONFLICT DO NOTHING` keeps a PostgreSQL transaction usable where a caught unique
    // violation would abort it; MultiConnection cannot express it, so each backend gets it.
    let insert = diesel::insert_into(instances::table)
        .values((
            instances::domain.eq(domain),
            instances::consecutive_failures.eq(0),
            instances::unreachable.eq(false),
            instances::updated_at.eq(now),
        ))
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Postgres(c) => insert.execute(c),
        DbConnection::Sqlite(c) => insert.execute(c),
    }
}

/// The server answered a delivery: it is healthy again, whatever it was before.
///
/// A healthy server answers every delivery, so most calls change nothing but the time of
/// the last success; that is written at most once per [`SUCCESS_PRECISION`], and otherwise
/// the call costs one update that matches no row instead of an insert and an update per
/// delivery (during a fan-out, the writes were a third of PostgreSQL's work).
pub fn record_success(
    conn: &mut DbConnection,
    domain: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let stale = now - SUCCESS_PRECISION;
    let changed = diesel::update(
        instances::table.find(domain).filter(
            instances::consecutive_failures
                .ne(0)
                .or(instances::unreachable.eq(true))
                .or(instances::last_success_at.is_null())
                .or(instances::last_success_at.lt(stale)),
        ),
    )
    .set((
        instances::consecutive_failures.eq(0),
        instances::failing_since.eq(None::<NaiveDateTime>),
        instances::last_success_at.eq(now),
        instances::unreachable.eq(false),
        instances::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed > 0 || find(conn, domain)?.is_some() {
        return Ok(());
    }
    ensure(conn, domain, now)?;
    diesel::update(instances::table.find(domain))
        .set((
            instances::consecutive_failures.eq(0),
            instances::failing_since.eq(None::<NaiveDateTime>),
            instances::last_success_at.eq(now),
            instances::unreachable.eq(false),
            instances::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// [`record_success`] for every server of a batch of settled deliveries, in three
/// statements whatever the batch holds: the update of those whose record is stale, the
/// read of which exist, and one insert of those never seen. Per server, that was one to
/// four statements, so a fan-out to many servers spent most of its database time here.
pub fn record_successes(
    conn: &mut DbConnection,
    domains: &[String],
    now: NaiveDateTime,
) -> QueryResult<()> {
    // Well under both backends' limits on bound parameters.
    for chunk in domains.chunks(1_000) {
        let stale = now - SUCCESS_PRECISION;
        diesel::update(
            instances::table
                .filter(instances::domain.eq_any(chunk))
                .filter(
                    instances::consecutive_failures
                        .ne(0)
                        .or(instances::unreachable.eq(true))
                        .or(instances::last_success_at.is_null())
                        .or(instances::last_success_at.lt(stale)),
                ),
        )
        .set((
            instances::consecutive_failures.eq(0),
            instances::failing_since.eq(None::<NaiveDateTime>),
            instances::last_success_at.eq(now),
            instances::unreachable.eq(false),
            instances::updated_at.eq(now),
        ))
        .execute(conn)?;
        let known: std::collections::HashSet<String> = instances::table
            .filter(instances::domain.eq_any(chunk))
            .select(instances::domain)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let new: Vec<_> = chunk
            .iter()
            .filter(|d| !known.contains(*d))
            .map(|d| {
                (
                    instances::domain.eq(d),
                    instances::consecutive_failures.eq(0),
                    instances::last_success_at.eq(Some(now)),
                    instances::unreachable.eq(false),
                    instances::updated_at.eq(now),
                )
            })
            .collect();
        if new.is_empty() {
            continue;
        }
        // Another process may have created some of them meanwhile: theirs stand.
        let insert = diesel::insert_into(instances::table)
            .values(new)
            .on_conflict_do_nothing();
        match conn {
            DbConnection::Postgres(c) => insert.execute(c)?,
            DbConnection::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// The server did not answer (or answered with a server error). Returns true when this
/// failure made it unreachable: failing without a break since `unreachable_after` ago.
pub fn record_failure(
    conn: &mut DbConnection,
    domain: &str,
    now: NaiveDateTime,
    error: &str,
    unreachable_after: TimeDelta,
) -> QueryResult<bool> {
    ensure(conn, domain, now)?;
    diesel::update(instances::table.find(domain))
        .set((
            instances::consecutive_failures.eq(instances::consecutive_failures + 1),
            instances::last_failure_at.eq(now),
            instances::last_error.eq(error),
            instances::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        instances::table
            .find(domain)
            .filter(instances::failing_since.is_null()),
    )
    .set(instances::failing_since.eq(now))
    .execute(conn)?;
    let marked = diesel::update(
        instances::table
            .find(domain)
            .filter(instances::unreachable.eq(false))
            .filter(instances::failing_since.le(now - unreachable_after)),
    )
    .set(instances::unreachable.eq(true))
    .execute(conn)?;
    Ok(marked == 1)
}

/// The server was heard from: if it was marked unreachable, it no longer is, and its
/// failure streak starts over (so one more failure does not park it again at once).
/// Returns true when it was unreachable.
pub fn revive(conn: &mut DbConnection, domain: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let revived = diesel::update(
        instances::table
            .find(domain)
            .filter(instances::unreachable.eq(true)),
    )
    .set((
        instances::unreachable.eq(false),
        instances::consecutive_failures.eq(0),
        instances::failing_since.eq(None::<NaiveDateTime>),
        instances::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(revived == 1)
}

/// Marks `domain` unreachable now, whatever its history (for operators and tests).
pub fn mark_unreachable(
    conn: &mut DbConnection,
    domain: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    ensure(conn, domain, now)?;
    diesel::update(instances::table.find(domain))
        .set((
            instances::unreachable.eq(true),
            instances::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        instances::table
            .find(domain)
            .filter(instances::failing_since.is_null()),
    )
    .set(instances::failing_since.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Servers failing now or marked unreachable: unreachable first, then the longest failing,
/// at most `limit`.
pub fn troubled(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<InstanceRow>> {
    instances::table
        .filter(
            instances::unreachable
                .eq(true)
                .or(instances::consecutive_failures.gt(0)),
        )
        .order((
            instances::unreachable.desc(),
            instances::failing_since.asc(),
            instances::domain.asc(),
        ))
        .limit(limit)
        .select(InstanceRow::as_select())
        .load(conn)
}

/// The rows for these domains.
pub fn find_all(conn: &mut DbConnection, domains: &[String]) -> QueryResult<Vec<InstanceRow>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    instances::table
        .filter(instances::domain.eq_any(domains))
        .select(InstanceRow::as_select())
        .load(conn)
}

/// How many servers are marked unreachable, for `/metrics`.
pub fn count_unreachable(conn: &mut DbConnection) -> QueryResult<i64> {
    instances::table
        .filter(instances::unreachable.eq(true))
        .count()
        .get_result(conn)
}
