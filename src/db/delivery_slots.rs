//! Queries on `delivery_slots`: the requests each delivery worker has in flight.
//!
//! A worker has as many slots as its concurrency, each a row keyed by the worker's random
//! id and the slot's number. Taking a delivery writes its id, its server and the lease's
//! end into a free slot; settling it clears the slot in the same transaction as the
//! delivery row is deleted or rescheduled. So the delivery rows themselves are never
//! rewritten to be leased, and on PostgreSQL a slot's rewrite changes no indexed column:
//! a HOT update that leaves neither dead index entries nor a growing table behind.
//!
//! A slot whose lease has not run out is in flight and counts against its server's cap,
//! whichever process holds it. One whose lease ran out was left by a process that died
//! (attempts end well before a lease does); its delivery is due again for anyone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::DbConnection;
use super::schema::delivery_slots;

/// A slot taking a delivery.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = delivery_slots)]
pub struct Taken {
    /// The worker's id.
    pub worker: i64,
    /// The slot's number within the worker.
    pub slot: i32,
    /// The delivery it sends.
    pub delivery_id: Option<i64>,
    /// The delivery's server.
    pub domain: Option<String>,
    /// Until when the delivery is reserved for this slot.
    pub leased_until: Option<NaiveDateTime>,
}

/// Writes each slot's new delivery (creating the slot's row the first time).
pub fn take(conn: &mut DbConnection, taken: &[Taken]) -> QueryResult<usize> {
    if taken.is_empty() {
        return Ok(0);
    }
    macro_rules! upsert {
        ($values:expr) => {
            diesel::insert_into(delivery_slots::table)
                .values($values)
                .on_conflict((delivery_slots::worker, delivery_slots::slot))
                .do_update()
                .set((
                    delivery_slots::delivery_id.eq(excluded(delivery_slots::delivery_id)),
                    delivery_slots::domain.eq(excluded(delivery_slots::domain)),
                    delivery_slots::leased_until.eq(excluded(delivery_slots::leased_until)),
                ))
        };
    }
    match conn {
        DbConnection::Postgres(c) => upsert!(taken).execute(c),
        // SQLite has no multi-row upsert in diesel; it is one local call per row anyway.
        DbConnection::Sqlite(c) => taken
            .iter()
            .map(|t| upsert!(t).execute(&mut *c))
            .sum::<QueryResult<usize>>(),
    }
}

/// Clears these slots of `worker`: their deliveries are settled.
pub fn free(conn: &mut DbConnection, worker: i64, slots: &[i32]) -> QueryResult<usize> {
    if slots.is_empty() {
        return Ok(0);
    }
    diesel::update(
        delivery_slots::table
            .filter(delivery_slots::worker.eq(worker))
            .filter(delivery_slots::slot.eq_any(slots)),
    )
    .set((
        delivery_slots::delivery_id.eq(None::<i64>),
        delivery_slots::domain.eq(None::<String>),
        delivery_slots::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// A delivery in flight.
#[derive(Debug, Clone)]
pub struct Held {
    /// The delivery.
    pub id: i64,
    /// Its server.
    pub domain: String,
    /// When its lease runs out.
    pub until: NaiveDateTime,
}

/// The deliveries in flight at `now`.
pub fn in_flight(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<Held>> {
    type Slot = (Option<i64>, Option<String>, Option<NaiveDateTime>);
    let held: Vec<Slot> = delivery_slots::table
        .filter(delivery_slots::leased_until.gt(now))
        .select((
            delivery_slots::delivery_id,
            delivery_slots::domain,
            delivery_slots::leased_until,
        ))
        .load(conn)?;
    Ok(held
        .into_iter()
        .filter_map(|(id, domain, until)| {
            Some(Held {
                id: id?,
                domain: domain?,
                until: until?,
            })
        })
        .collect())
}

/// Forgets every slot. Only for a worker that knows no other process is delivering from
/// this database (SQLite, under its lock file): what it finds was left by a process that
/// died, and its deliveries need not wait for the leases to run out.
pub fn release_all(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::delete(delivery_slots::table).execute(conn)
}

/// Forgets the slots that hold nothing in flight at `now`: free ones, and those left by
/// processes that died. A live worker's free slot forgotten here is written again the next
/// time it takes a delivery.
pub fn forget_idle(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        delivery_slots::table.filter(
            delivery_slots::leased_until
                .is_null()
                .or(delivery_slots::leased_until.le(now)),
        ),
    )
    .execute(conn)
}
