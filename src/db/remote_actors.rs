//! Queries on `remote_actors`: the cache of other servers' actors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::remote_actors;

/// An actor of another server as copse last fetched it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = remote_actors)]
pub struct CachedActor {
    pub id: i64,
    pub ap_id: String,
    /// `Person`, `Group`, `Application`, `Service` or `Organization`.
    pub kind: String,
    /// The host (and port, if any) of `ap_id`.
    pub domain: String,
    /// `preferredUsername`.
    pub username: String,
    pub display_name: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub followers_url: Option<String>,
    pub outbox_url: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub manually_approves_followers: bool,
    pub fetched_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// Its bio or description, sanitized HTML.
    pub summary: Option<String>,
}

impl CachedActor {
    /// Where deliveries go: the shared inbox when the server has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }

    /// True for a community-like actor (Lemmy, Mbin, PeerTube and Mobilizon groups).
    pub fn is_group(&self) -> bool {
        self.kind == "Group"
    }
}

/// What a fetch of an actor yields, ready to store.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = remote_actors)]
#[diesel(treat_none_as_null = true)]
pub struct ActorRecord {
    pub ap_id: String,
    pub kind: String,
    pub domain: String,
    pub username: String,
    pub display_name: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub followers_url: Option<String>,
    pub outbox_url: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub manually_approves_followers: bool,
    pub fetched_at: NaiveDateTime,
    pub summary: Option<String>,
}

/// Inserts or refreshes an actor, keyed by its id; returns the stored row. Two requests
/// that meet the same new actor at once both succeed: the insert yields to a concurrent
/// one instead of failing on the unique id, and the refresh then applies.
pub fn upsert(conn: &mut DbConnection, record: &ActorRecord) -> QueryResult<CachedActor> {
    conn.transaction(|conn| {
        // MultiConnection cannot express `ON CONFLICT`, so each backend runs it.
        let insert = diesel::insert_into(remote_actors::table)
            .values((record, remote_actors::created_at.eq(record.fetched_at)))
            .on_conflict_do_nothing();
        let inserted = match conn {
            DbConnection::Postgres(c) => insert.execute(c)?,
            DbConnection::Sqlite(c) => insert.execute(c)?,
        };
        if inserted == 0 {
            diesel::update(remote_actors::table.filter(remote_actors::ap_id.eq(&record.ap_id)))
                .set(record)
                .execute(conn)?;
        }
        remote_actors::table
            .filter(remote_actors::ap_id.eq(&record.ap_id))
            .select(CachedActor::as_select())
            .first(conn)
    })
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CachedActor>> {
    remote_actors::table
        .find(id)
        .select(CachedActor::as_select())
        .first(conn)
        .optional()
}

/// The handles' parts (`username`, `domain`) of cached actors, by id.
pub fn handles_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
    remote_actors::table
        .filter(remote_actors::id.eq_any(ids))
        .select((
            remote_actors::id,
            remote_actors::username,
            remote_actors::domain,
        ))
        .load(conn)
}

pub fn find_by_ap_id(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<CachedActor>> {
    remote_actors::table
        .filter(remote_actors::ap_id.eq(ap_id))
        .select(CachedActor::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_key_id(conn: &mut DbConnection, key_id: &str) -> QueryResult<Option<CachedActor>> {
    remote_actors::table
        .filter(remote_actors::public_key_id.eq(key_id))
        .select(CachedActor::as_select())
        .first(conn)
        .optional()
}

/// Forgets an actor (it was deleted on its server); its follows go with it.
pub fn delete(conn: &mut DbConnection, ap_id: &str) -> QueryResult<usize> {
    diesel::delete(remote_actors::table.filter(remote_actors::ap_id.eq(ap_id))).execute(conn)
}

/// The person (any actor but a community) known by `username` on `domain`: Lemmy gives a
/// community and a person the same name.
pub fn find_person_by_handle(
    conn: &mut DbConnection,
    username: &str,
    domain: &str,
) -> QueryResult<Option<CachedActor>> {
    remote_actors::table
        .filter(remote_actors::domain.eq(domain))
        .filter(remote_actors::username.eq(username))
        .filter(remote_actors::kind.ne("Group"))
        .select(CachedActor::as_select())
        .first(conn)
        .optional()
}

/// The actor known by `username` on `domain` (its handle), if cached.
pub fn find_by_handle(
    conn: &mut DbConnection,
    username: &str,
    domain: &str,
) -> QueryResult<Option<CachedActor>> {
    remote_actors::table
        .filter(remote_actors::domain.eq(domain))
        .filter(remote_actors::username.eq(username))
        .select(CachedActor::as_select())
        .first(conn)
        .optional()
}
