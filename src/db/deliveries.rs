//! Queries on `deliveries`: the durable queue of outgoing activities.
//!
//! An activity is stored once in `outgoing_activities`, and a row of `deliveries` per
//! destination inbox names it. A row is due when `next_attempt_at` has passed and no
//! worker's slot holds it (see `db::delivery_slots`): taking a row writes a slot, not the
//! row, so a row is written once when queued and deleted once when settled, and only a
//! failed attempt rewrites it. An activity is removed by the worker's next sweep after its
//! last delivery is settled.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::delivery_slots::{self, Taken};
use super::schema::{deliveries, instances, outgoing_activities};

/// One activity on its way to one inbox.
#[derive(Debug, Clone, Queryable)]
pub struct DeliveryRow {
    /// The row id.
    pub id: i64,
    /// The row of `outgoing_activities` it delivers.
    pub activity: i64,
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
    /// When the row is (or was) due.
    pub next_attempt_at: NaiveDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the activity was queued.
    pub created_at: NaiveDateTime,
    /// Set while a worker is sending the row: until when it is reserved for that worker.
    pub leased_until: Option<NaiveDateTime>,
}

/// The columns a [`DeliveryRow`] is read from (its lease is filled in apart).
type RowColumns = (
    deliveries::id,
    deliveries::activity,
    outgoing_activities::activity_id,
    outgoing_activities::signer_ap_id,
    deliveries::inbox,
    deliveries::domain,
    outgoing_activities::body,
    deliveries::attempts,
    deliveries::next_attempt_at,
    deliveries::last_error,
    deliveries::created_at,
    diesel::dsl::AsExprOf<
        Option<NaiveDateTime>,
        diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
    >,
);

fn row_columns() -> RowColumns {
    (
        deliveries::id,
        deliveries::activity,
        outgoing_activities::activity_id,
        outgoing_activities::signer_ap_id,
        deliveries::inbox,
        deliveries::domain,
        outgoing_activities::body,
        deliveries::attempts,
        deliveries::next_attempt_at,
        deliveries::last_error,
        deliveries::created_at,
        None::<NaiveDateTime>
            .into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>>(),
    )
}

/// An activity to store once for all its deliveries.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outgoing_activities)]
pub struct NewActivity {
    /// The activity's `id`.
    pub activity_id: String,
    /// The local actor whose key signs its deliveries.
    pub signer_ap_id: String,
    /// The activity's JSON, exactly as it will be sent.
    pub body: String,
    /// When it was queued.
    pub created_at: NaiveDateTime,
}

/// A row to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deliveries)]
pub struct NewDelivery {
    /// The stored activity (from [`insert_activity`]).
    pub activity: i64,
    /// Where the activity is POSTed.
    pub inbox: String,
    /// The inbox's host[:port].
    pub domain: String,
    /// When it is first due (now, normally).
    pub next_attempt_at: NaiveDateTime,
    /// When it was queued.
    pub created_at: NaiveDateTime,
}

/// Stores an activity for its deliveries (inside the caller's transaction); its row id.
pub fn insert_activity(conn: &mut DbConnection, activity: &NewActivity) -> QueryResult<i64> {
    diesel::insert_into(outgoing_activities::table)
        .values(activity)
        .returning(outgoing_activities::id)
        .get_result(conn)
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

/// A delivery taken by one of a worker's slots.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The delivery, its lease filled in.
    pub row: DeliveryRow,
    /// The slot that holds it.
    pub slot: i32,
}

/// Takes up to one due delivery for each of `free_slots` of `worker`, never letting any
/// domain have more than `per_instance` deliveries in flight (counting every process's
/// slots), and leaves alone the domains marked unreachable. Each taken delivery is leased
/// until `lease_until`.
///
/// A domain at its cap is excluded in the query itself, so its backlog never hides the rows
/// of other domains behind it: the head of the queue belongs to whoever can be served.
///
/// Runs in the caller's transaction, a writing one (on SQLite, `IMMEDIATE`).
///
/// On PostgreSQL several processes may claim at once. The claim's transaction first takes
/// an advisory lock, so the slots read by one claimer include those the
/// claimer before it wrote (otherwise two could each fill the same server's cap, or take
/// the same row). A slot is cleared in the transaction that settles its delivery, so a
/// claimer sees a delivery either still held or already settled; the chosen rows are also
/// locked `FOR UPDATE SKIP LOCKED`. On SQLite one process delivers.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: i64,
    free_slots: &[i32],
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    per_instance: i64,
) -> QueryResult<Vec<Claimed>> {
    if free_slots.is_empty() {
        return Ok(Vec::new());
    }
    if let DbConnection::Postgres(c) = conn {
        // One round trip for both: see `relax_commit` for the first.
        diesel::connection::SimpleConnection::batch_execute(
            c,
            &format!(
                "SET LOCAL synchronous_commit TO OFF; SELECT pg_advisory_xact_lock({CLAIM_LOCK})"
            ),
        )?;
    }
    claim_inner(conn, worker, free_slots, now, lease_until, per_instance)
}

fn claim_inner(
    conn: &mut DbConnection,
    worker: i64,
    free_slots: &[i32],
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    per_instance: i64,
) -> QueryResult<Vec<Claimed>> {
    let limit = free_slots.len() as i64;
    let held = delivery_slots::in_flight(conn, now)?;
    let held_ids: Vec<i64> = held.iter().map(|h| h.id).collect();
    let mut in_flight: HashMap<String, i64> = HashMap::new();
    for h in held {
        *in_flight.entry(h.domain).or_insert(0) += 1;
    }
    let saturated: Vec<String> = in_flight
        .iter()
        .filter(|(_, n)| **n >= per_instance)
        .map(|(d, _)| d.clone())
        .collect();
    // Only ids and domains are read: with `deliveries_due_domain_idx` the rows skipped for
    // a saturated server, or held by a slot, are judged from the index alone.
    let candidates: Vec<(i64, String)> = deliveries::table
        .filter(deliveries::next_attempt_at.le(now))
        .filter(deliveries::domain.ne_all(&saturated))
        .filter(deliveries::domain.ne_all(unreachable_domains()))
        .filter(deliveries::id.ne_all(&held_ids))
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
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    // On PostgreSQL the chosen rows are read `FOR UPDATE SKIP LOCKED`: a row another
    // transaction is settling (one whose slot's lease ran out under a stalled worker, say)
    // is left alone rather than waited for or taken twice. (Their activities' rows are
    // locked too; nothing else locks those while they have deliveries.)
    macro_rules! chosen_rows {
        () => {
            deliveries::table
                .inner_join(outgoing_activities::table)
                .filter(deliveries::id.eq_any(&chosen))
                .select(row_columns())
        };
    }
    let mut rows: Vec<DeliveryRow> = match conn {
        DbConnection::Postgres(c) => chosen_rows!().for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => chosen_rows!().load(c)?,
    };
    rows.sort_by_key(|r| (r.created_at, r.id));
    let claimed: Vec<Claimed> = rows
        .into_iter()
        .zip(free_slots.iter().copied())
        .map(|(mut row, slot)| {
            row.leased_until = Some(lease_until);
            Claimed { row, slot }
        })
        .collect();
    let taken: Vec<Taken> = claimed
        .iter()
        .map(|c| Taken {
            worker,
            slot: c.slot,
            delivery_id: Some(c.row.id),
            domain: Some(c.row.domain.clone()),
            leased_until: Some(lease_until),
        })
        .collect();
    delivery_slots::take(conn, &taken)?;
    Ok(claimed)
}

/// Every queued delivery, oldest first, with its lease if one holds it at `now`. For
/// inspection (tests, small queues): it reads the whole queue.
///
/// The rows are read before the slots: a settlement changes a row and frees its slot in one
/// transaction, so a row read after its settlement is never shown with the lease it had.
pub fn queued(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<DeliveryRow>> {
    let mut rows: Vec<DeliveryRow> = deliveries::table
        .inner_join(outgoing_activities::table)
        .order(deliveries::id.asc())
        .select(row_columns())
        .load(conn)?;
    let leases: HashMap<i64, NaiveDateTime> = delivery_slots::in_flight(conn, now)?
        .into_iter()
        .map(|h| (h.id, h.until))
        .collect();
    for row in &mut rows {
        row.leased_until = leases.get(&row.id).copied();
    }
    Ok(rows)
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

/// Whether anything signed by `signer` is still waiting to be delivered (or being
/// delivered).
pub fn any_signed_by(conn: &mut DbConnection, signer: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        deliveries::table
            .inner_join(outgoing_activities::table)
            .filter(outgoing_activities::signer_ap_id.eq(signer)),
    ))
    .get_result(conn)
}

/// Deliveries `worker`'s slots took are settled: the inbox took them, or refused them for
/// good, or they were given up. They leave the queue and their slots are freed, in the
/// caller's transaction. Their activities stay until the worker's next sweep of finished
/// ones ([`drop_finished_activities`]): looking for the last delivery of each at every
/// settlement cost PostgreSQL more than the deletion itself.
pub fn settle_removed(
    conn: &mut DbConnection,
    worker: i64,
    settled: &[(i64, i32)],
) -> QueryResult<usize> {
    let ids: Vec<i64> = settled.iter().map(|(id, _)| *id).collect();
    let slots: Vec<i32> = settled.iter().map(|(_, slot)| *slot).collect();
    let n = diesel::delete(deliveries::table.filter(deliveries::id.eq_any(&ids))).execute(conn)?;
    delivery_slots::free(conn, worker, &slots)?;
    Ok(n)
}

/// Removes the activities that no delivery names any more. One index probe per stored
/// activity: cheap, as activities are few next to their deliveries.
pub fn drop_finished_activities(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::delete(
        outgoing_activities::table.filter(diesel::dsl::not(diesel::dsl::exists(
            deliveries::table.filter(deliveries::activity.eq(outgoing_activities::id)),
        ))),
    )
    .execute(conn)
}

/// Another failed attempt of a delivery `worker`'s slot took; try again at `next`. The
/// slot is freed in the same transaction (the caller's).
pub fn reschedule(
    conn: &mut DbConnection,
    worker: i64,
    slot: i32,
    id: i64,
    attempts: i32,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<usize> {
    let n = diesel::update(deliveries::table.find(id))
        .set((
            deliveries::attempts.eq(attempts),
            deliveries::next_attempt_at.eq(next),
            deliveries::last_error.eq(error),
        ))
        .execute(conn)?;
    delivery_slots::free(conn, worker, &[slot])?;
    Ok(n)
}

/// Makes every row for `domain` that is waiting for a later attempt due at `now` (an
/// instance came back).
pub fn make_due(conn: &mut DbConnection, domain: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .filter(deliveries::domain.eq(domain))
            .filter(deliveries::next_attempt_at.gt(now)),
    )
    .set(deliveries::next_attempt_at.eq(now))
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

/// When the next delivery waiting for a later attempt falls due (rows of unreachable
/// instances are parked and do not count), to sleep until then. Rows due already but not
/// taken belong to servers at their cap, or are in flight: a finishing request wakes the
/// worker for those.
pub fn next_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    deliveries::table
        .filter(deliveries::next_attempt_at.gt(now))
        .filter(deliveries::domain.ne_all(unreachable_domains()))
        .select(diesel::dsl::min(deliveries::next_attempt_at))
        .first(conn)
}

/// Refreshes the planner's statistics of the queue (PostgreSQL; a no-op on SQLite). Reads a
/// sample of the table, so it stays cheap however long the queue.
pub fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query("ANALYZE deliveries").execute(c)?;
    }
    Ok(())
}

/// Reclaims the dead row versions deletions and reschedules leave, in the queue and its
/// slots (PostgreSQL only; outside any transaction).
pub fn vacuum(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query("VACUUM (ANALYZE) deliveries, delivery_slots, outgoing_activities")
            .execute(c)?;
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
