//! Queries on `deliveries`: the durable queue of outgoing activities.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::deliveries;

/// One activity on its way to one inbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub activity_id: String,
    /// The local actor whose key signs the request.
    pub signer_ap_id: String,
    pub inbox: String,
    pub domain: String,
    /// The activity's JSON, exactly as it will be sent.
    pub body: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deliveries)]
pub struct NewDelivery {
    pub activity_id: String,
    pub signer_ap_id: String,
    pub inbox: String,
    pub domain: String,
    pub body: String,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, rows: &[NewDelivery]) -> QueryResult<usize> {
    // MultiConnection has no multi-row INSERT; each backend does it natively.
    let insert = diesel::insert_into(deliveries::table).values(rows);
    match conn {
        DbConnection::Postgres(c) => insert.execute(c),
        DbConnection::Sqlite(c) => insert.execute(c),
    }
}

/// Takes up to `limit` due deliveries for this worker: each is leased until `lease_until`
/// by a conditional update, so a second process polling the same table skips the rows
/// another one already took, and a worker that dies leaves them to be retried after the
/// lease.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let due: Vec<DeliveryRow> = deliveries::table
        .filter(deliveries::next_attempt_at.le(now))
        .order(deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let mut claimed = Vec::with_capacity(due.len());
    for mut row in due {
        let taken = diesel::update(
            deliveries::table
                .find(row.id)
                .filter(deliveries::next_attempt_at.eq(row.next_attempt_at)),
        )
        .set(deliveries::next_attempt_at.eq(lease_until))
        .execute(conn)?;
        if taken == 1 {
            row.next_attempt_at = lease_until;
            claimed.push(row);
        }
    }
    Ok(claimed)
}

/// The inbox took it (or refused it for good): it leaves the queue.
pub fn remove(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(deliveries::table.find(id)).execute(conn)
}

/// Another failed attempt; try again at `next`.
pub fn reschedule(
    conn: &mut DbConnection,
    id: i64,
    attempts: i32,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<usize> {
    diesel::update(deliveries::table.find(id))
        .set((
            deliveries::attempts.eq(attempts),
            deliveries::next_attempt_at.eq(next),
            deliveries::last_error.eq(error),
        ))
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

/// When the next delivery falls due, to sleep until then.
pub fn next_due(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    deliveries::table
        .select(diesel::dsl::min(deliveries::next_attempt_at))
        .first(conn)
}
