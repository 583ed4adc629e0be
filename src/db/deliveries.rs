//! Queries on `deliveries`: the durable queue of outgoing activities.
//!
//! A row is due when `next_attempt_at` has passed. A worker that takes a row leases it:
//! `leased_until` and `next_attempt_at` both move to the end of the lease, so the row is
//! not due for anyone else while it is in flight, and if the worker dies the row simply
//! falls due again when the lease runs out. Rows whose lease has not run out are the ones
//! in flight; counting them per domain is what caps the requests to one server across every
//! process sharing the database.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{deliveries, instances};

/// One activity on its way to one inbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    /// The row id.
    pub id: i64,
    /// The `id` of the activity in `body`.
    pub activity_id: String,
    /// The local actor whose key signs the request.
    pub signer_ap_id: String,
    /// Where the activity is POSTed.
    pub inbox: String,
    /// The inbox's host[:port], the unit of per-server limits and health.
    pub domain: String,
    /// The activity's JSON, exactly as it will be sent.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: i32,
    /// When the row is next due (the lease's end while it is in flight).
    pub next_attempt_at: NaiveDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the activity was queued.
    pub created_at: NaiveDateTime,
    /// Set while a worker is sending the row: until when it is reserved for that worker.
    pub leased_until: Option<NaiveDateTime>,
}

/// A row to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deliveries)]
pub struct NewDelivery {
    /// The `id` of the activity in `body`.
    pub activity_id: String,
    /// The local actor whose key signs the request.
    pub signer_ap_id: String,
    /// Where the activity is POSTed.
    pub inbox: String,
    /// The inbox's host[:port].
    pub domain: String,
    /// The activity's JSON.
    pub body: String,
    /// When it is first due (now, normally).
    pub next_attempt_at: NaiveDateTime,
    /// When it was queued.
    pub created_at: NaiveDateTime,
}

/// Queues rows (inside the caller's transaction).
pub fn insert(conn: &mut DbConnection, rows: &[NewDelivery]) -> QueryResult<usize> {
    // MultiConnection has no multi-row INSERT; each backend does it natively.
    let insert = diesel::insert_into(deliveries::table).values(rows);
    match conn {
        DbConnection::Postgres(c) => insert.execute(c),
        DbConnection::Sqlite(c) => insert.execute(c),
    }
}

/// The key of the PostgreSQL advisory lock that serializes claims (ASCII "copsedlv").
const CLAIM_LOCK: i64 = 0x636f_7073_6564_6c76;

/// How many due rows one claim looks at for each row it may take: rows beyond a server's
/// cap are passed over, and looking further saves a round trip when one server dominates
/// the head of the queue.
const LOOK_AHEAD: i64 = 4;

/// Takes up to `limit` due deliveries for this worker, never letting any domain have more
/// than `per_instance` rows in flight (counting every process's leases), and leaves alone
/// the domains marked unreachable. Each taken row is leased until `lease_until`.
///
/// A domain at its cap is excluded in the query itself, so its backlog never hides the rows
/// of other domains behind it: the head of the queue belongs to whoever can be served.
///
/// On PostgreSQL several processes may claim at once. The claim runs in one transaction
/// that first takes an advisory lock, so in-flight counts read by one claimer include the
/// leases of the claimer before it (otherwise two could each fill the same server's cap),
/// and the chosen rows are locked `FOR UPDATE SKIP LOCKED`, so rows being finished by
/// another worker are skipped rather than waited for. On both backends the lease is a
/// conditional `UPDATE` that only takes rows still due; on SQLite one process delivers.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    per_instance: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    if limit <= 0 {
        return Ok(Vec::new());
    }
    match conn {
        DbConnection::Postgres(_) => conn.transaction(|conn| {
            relax_commit(conn)?;
            if let DbConnection::Postgres(c) = conn {
                diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                    .bind::<diesel::sql_types::BigInt, _>(CLAIM_LOCK)
                    .execute(c)?;
            }
            claim_inner(conn, now, lease_until, limit, per_instance)
        }),
        DbConnection::Sqlite(_) => claim_inner(conn, now, lease_until, limit, per_instance),
    }
}

fn claim_inner(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    per_instance: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut in_flight: HashMap<String, i64> = in_flight_by_domain(conn, now)?.into_iter().collect();
    let saturated: Vec<String> = in_flight
        .iter()
        .filter(|(_, n)| **n >= per_instance)
        .map(|(d, _)| d.clone())
        .collect();
    // Only ids and domains are read, unlocked: with `deliveries_due_domain_idx` the rows
    // skipped for a saturated server are judged from the index alone (on PostgreSQL an
    // index-only scan, where rows locked as they are read would each cost a heap visit).
    let candidates: Vec<(i64, String)> = deliveries::table
        .filter(deliveries::next_attempt_at.le(now))
        .filter(deliveries::domain.ne_all(&saturated))
        .filter(deliveries::domain.ne_all(unreachable_domains()))
        .order((deliveries::next_attempt_at.asc(), deliveries::id.asc()))
        .limit(limit.saturating_mul(LOOK_AHEAD))
        .select((deliveries::id, deliveries::domain))
        .load(conn)?;
    let mut chosen: Vec<i64> = Vec::new();
    for (id, domain) in candidates {
        if chosen.len() as i64 >= limit {
            break;
        }
        let n = in_flight.entry(domain).or_insert(0);
        if *n < per_instance {
            *n += 1;
            chosen.push(id);
        }
    }
    // On PostgreSQL the chosen rows are then locked `FOR UPDATE SKIP LOCKED`: one that
    // another transaction holds (being rescheduled, say) is left to a later claim rather
    // than waited for.
    if let DbConnection::Postgres(c) = conn
        && !chosen.is_empty()
    {
        chosen = deliveries::table
            .filter(deliveries::id.eq_any(&chosen))
            .filter(deliveries::next_attempt_at.le(now))
            .select(deliveries::id)
            .for_update()
            .skip_locked()
            .load(c)?;
    }
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    // Only rows still due are leased: on SQLite, where nothing was locked, this is what
    // keeps a row from being taken twice.
    macro_rules! lease {
        () => {
            diesel::update(
                deliveries::table
                    .filter(deliveries::id.eq_any(&chosen))
                    .filter(deliveries::next_attempt_at.le(now)),
            )
            .set((
                deliveries::leased_until.eq(lease_until),
                deliveries::next_attempt_at.eq(lease_until),
            ))
            .returning(DeliveryRow::as_returning())
        };
    }
    let mut leased: Vec<DeliveryRow> = match conn {
        DbConnection::Postgres(c) => lease!().get_results(c)?,
        DbConnection::Sqlite(c) => lease!().get_results(c)?,
    };
    leased.sort_by_key(|r| (r.created_at, r.id));
    Ok(leased)
}

/// Rows in flight (leased, lease not run out) per domain.
///
/// The domains of the leased rows are read and counted here rather than with `GROUP BY`:
/// grouping leads SQLite to walk the whole queue in domain order, while this reads only the
/// few leased rows through the `leased_until` index.
pub fn in_flight_by_domain(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Vec<(String, i64)>> {
    let domains: Vec<String> = deliveries::table
        .filter(deliveries::leased_until.gt(now))
        .select(deliveries::domain)
        .load(conn)?;
    let mut counts: HashMap<String, i64> = HashMap::new();
    for domain in domains {
        *counts.entry(domain).or_insert(0) += 1;
    }
    Ok(counts.into_iter().collect())
}

/// The domains whose deliveries are parked, as a subquery.
fn unreachable_domains() -> diesel::dsl::Select<
    diesel::dsl::Filter<instances::table, diesel::dsl::Eq<instances::unreachable, bool>>,
    instances::domain,
> {
    instances::table
        .filter(instances::unreachable.eq(true))
        .select(instances::domain)
}

/// Ends every lease at once, making the rows due now. Only for a worker that knows no other
/// process is delivering from this database (SQLite, under its lock file): leases it finds
/// were left by a process that died, and need not wait to run out.
pub fn release_all_leases(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(deliveries::table.filter(deliveries::leased_until.is_not_null()))
        .set((
            deliveries::leased_until.eq(None::<NaiveDateTime>),
            deliveries::next_attempt_at.eq(now),
        ))
        .execute(conn)
}

/// Whether anything signed by `signer` is still waiting to be delivered (or being
/// delivered). No index serves this: call it only where it is rare (a deleted account).
pub fn any_signed_by(conn: &mut DbConnection, signer: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        deliveries::table.filter(deliveries::signer_ap_id.eq(signer)),
    ))
    .get_result(conn)
}

/// The inbox took it (or refused it for good): it leaves the queue.
pub fn remove(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(deliveries::table.find(id)).execute(conn)
}

/// Removes delivered rows, many at once.
pub fn remove_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(deliveries::table.filter(deliveries::id.eq_any(ids))).execute(conn)
}

/// Another failed attempt; try again at `next`. Only while the lease `lease` still holds:
/// a row whose lease ran out may have been taken by another worker since, whose outcome
/// must not be overwritten. Returns 0 if the lease was lost.
pub fn reschedule(
    conn: &mut DbConnection,
    id: i64,
    lease: NaiveDateTime,
    attempts: i32,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::leased_until.eq(lease)),
    )
    .set((
        deliveries::attempts.eq(attempts),
        deliveries::next_attempt_at.eq(next),
        deliveries::last_error.eq(error),
        deliveries::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Makes every row for `domain` that is not in flight due at `now` (an instance came back).
pub fn make_due(conn: &mut DbConnection, domain: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .filter(deliveries::domain.eq(domain))
            .filter(
                deliveries::leased_until
                    .is_null()
                    .or(deliveries::leased_until.le(now)),
            ),
    )
    .set((
        deliveries::next_attempt_at.eq(now),
        deliveries::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Drops the rows parked for an unreachable instance that were queued before `cutoff`, so a
/// server that never comes back does not keep its backlog forever.
pub fn drop_parked_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        deliveries::table
            .filter(deliveries::created_at.lt(cutoff))
            .filter(deliveries::domain.eq_any(unreachable_domains())),
    )
    .execute(conn)
}

/// Deliveries waiting, and when the oldest was queued.
pub fn backlog(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    deliveries::table
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(deliveries::created_at),
        ))
        .first(conn)
}

/// Deliveries waiting per domain, the largest backlogs first, at most `limit` domains.
pub fn pending_by_domain(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<(String, i64)>> {
    deliveries::table
        .group_by(deliveries::domain)
        .select((deliveries::domain, diesel::dsl::count_star()))
        .order((diesel::dsl::count_star().desc(), deliveries::domain.asc()))
        .limit(limit)
        .load(conn)
}

/// Deliveries waiting for each of these domains (those with none are left out).
pub fn pending_for(conn: &mut DbConnection, domains: &[String]) -> QueryResult<Vec<(String, i64)>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    deliveries::table
        .filter(deliveries::domain.eq_any(domains))
        .group_by(deliveries::domain)
        .select((deliveries::domain, diesel::dsl::count_star()))
        .load(conn)
}

/// When the next delivery that may be attempted falls due (rows of unreachable instances
/// are parked and do not count), to sleep until then.
pub fn next_due(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    deliveries::table
        .filter(deliveries::domain.ne_all(unreachable_domains()))
        .select(diesel::dsl::min(deliveries::next_attempt_at))
        .first(conn)
}

/// Reclaims the dead row versions leases and deletions leave (PostgreSQL only; outside
/// any transaction).
/// Refreshes the planner's statistics of the queue (PostgreSQL; a no-op on SQLite). Reads a
/// sample of the table, so it stays cheap however long the queue.
pub fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query("ANALYZE deliveries").execute(c)?;
    }
    Ok(())
}

pub fn vacuum(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query("VACUUM (ANALYZE) deliveries").execute(c)?;
    }
    Ok(())
}

/// Lets PostgreSQL commit the current transaction without waiting for its WAL to reach the
/// disk. For claims and settlements only: if the server crashes before the flush, a lease or
/// an outcome is forgotten and the delivery is simply sent again, which receivers ignore by
/// activity id; nothing a user did is lost. It spares one disk flush per delivery, which
/// was the largest part of PostgreSQL's work in a fan-out. A no-op on SQLite.
pub fn relax_commit(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query("SET LOCAL synchronous_commit TO OFF").execute(c)?;
    }
    Ok(())
}
