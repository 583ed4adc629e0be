//! Storage: one query code path over SQLite and PostgreSQL.
//!
//! [`DbConnection`] is a diesel `MultiConnection`: queries are written once and run on
//! whichever backend the database URL chose at start. Connections are pooled and used on
//! blocking threads through [`Database::run`], so the async server never waits on SQLite's
//! file locks or libpq. Queries live beside the tables they touch (`users`, `sessions`, …).

pub mod authors;
pub mod bans;
pub mod blocklist_imports;
pub mod comments;
pub mod communities;
pub mod community_domain_blocks;
pub mod conversations;
pub mod credentials;
pub mod deliveries;
pub mod delivery_slots;
pub mod domain_effects;
pub mod domain_policies;
pub mod followed_notes;
pub mod follows;
pub mod footprint;
pub mod ids;
pub mod instance;
pub mod instance_settings;
pub mod instances;
pub mod invites;
pub mod memberships;
mod migrate;
pub mod mod_log;
pub mod names;
pub mod notifications;
pub mod peer_software;
mod pool;
pub mod posts;
pub mod received;
pub mod remote_actors;
pub mod reports;
pub mod schema;
pub mod sent;
pub mod sessions;
pub mod spaces;
pub mod users;
pub mod votes;
pub mod waiting;

use std::time::Duration;

use diesel::{PgConnection, SqliteConnection};

use crate::config::DatabaseUrl;
use crate::error::{Error, ErrorCode, Result};

pub use migrate::MigrationReport;

/// One connection of its own, outside the pool, set up as the pool's are: for tools and
/// benchmarks that watch a connection's statements.
pub fn connect(url: &DatabaseUrl) -> Result<DbConnection> {
    pool::establish(url)
}

/// A connection to either backend. Queries against it compile for both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database engine is behind a [`Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A snapshot of the pool, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStatus {
    pub max_size: usize,
    pub open: usize,
    pub idle: usize,
    pub waiting: usize,
}

/// The pooled database of one copse server.
#[derive(Clone)]
pub struct Database {
    pool: pool::Pool,
    backend: Backend,
    /// Longest a write transaction may run before committing (see [`Database::transaction`]).
    bound: Duration,
}

impl Database {
    /// Opens the pool and checks that one connection can be made, so a wrong URL or an
    /// unreachable server is reported at start rather than on the first request.
    pub async fn connect(url: &DatabaseUrl, pool_size: usize) -> Result<Database> {
        let backend = match url {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        };
        let pool = pool::build(url, pool_size)?;
        let db = Database {
            pool,
            backend,
            bound: DEFAULT_TRANSACTION_BOUND,
        };
        db.ping().await?;
        Ok(db)
    }

    /// Sets the longest a write transaction may run (the server uses its request timeout).
    pub fn with_transaction_bound(mut self, bound: Duration) -> Database {
        self.bound = bound;
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let conn = self.pool.get().await.map_err(pool::checkout_error)?;
        conn.interact(f)
            .await
            .map_err(|e| Error::internal(format!("database task failed: {e}")))?
    }

    /// As [`Database::run`], inside one transaction: all of `f` is written, or none of it.
    ///
    /// A transaction that ran past the bound is rolled back instead of committed: its
    /// request has already been answered 503, and a change made after that answer would be
    /// made twice when the client retries. Long work is done in batches, each well inside it.
    pub async fn transaction<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let bound = self.bound;
        self.run(move |conn| {
            let started = std::time::Instant::now();
            write_transaction(conn, move |c| {
                let value = f(c)?;
                if started.elapsed() > bound {
                    tracing::warn!(
                        seconds = started.elapsed().as_secs_f64(),
                        "a transaction ran past its bound and was rolled back"
                    );
                    return Err(crate::error::busy());
                }
                Ok(value)
            })
        })
        .await
    }

    /// A trivial query; fails when the database cannot be reached.
    /// Whether the database holds the schema this binary expects (see `migrate::is_current`).
    pub async fn schema_is_current(&self) -> Result<bool> {
        self.run(|conn| Ok(migrate::is_current(conn))).await
    }

    pub async fn ping(&self) -> Result<()> {
        use diesel::RunQueryDsl;
        self.run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map(|_| ())
                .map_err(|e| {
                    Error::new(
                        ErrorCode::DatabaseUnavailable,
                        "the database is unavailable",
                    )
                    .with_cause(e)
                })
        })
        .await
    }

    /// Applies the embedded migrations that this database lacks.
    pub async fn migrate(&self) -> Result<MigrationReport> {
        self.run(migrate::run).await
    }

    pub fn pool_status(&self) -> PoolStatus {
        let s = self.pool.status();
        PoolStatus {
            max_size: s.max_size,
            open: s.size,
            idle: s.available,
            waiting: s.waiting,
        }
    }

    /// Closes idle connections and refuses new checkouts (at shutdown).
    pub fn close(&self) {
        self.pool.close();
    }
}

/// The transaction bound until the server sets its own.
const DEFAULT_TRANSACTION_BOUND: Duration = Duration::from_secs(30);

/// How long a request waits for a free connection before answering 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `f` in a transaction that writes. On SQLite it begins `IMMEDIATE`, taking the write
/// lock up front: a deferred transaction that reads first and writes later fails at once
/// with "database is locked" when another writer committed in between (WAL mode does not
/// wait there), while an immediate one waits its turn under the busy timeout. Nested
/// transactions inside `f` become savepoints as usual.
fn write_transaction<T, F>(conn: &mut DbConnection, f: F) -> Result<T>
where
    F: FnOnce(&mut DbConnection) -> Result<T>,
{
    use diesel::Connection;
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            let DbConnection::Sqlite(sqlite) = conn else {
                return Err(Error::internal("the connection changed backend"));
            };
            AnsiTransactionManager::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(e) => {
            if let DbConnection::Sqlite(sqlite) = conn {
                let _ = AnsiTransactionManager::rollback_transaction(sqlite);
            }
            Err(e)
        }
    }
}

/// Whether `err` is a unique-constraint violation on `constraint`.
///
/// PostgreSQL names the constraint; SQLite names the columns (`users.username`), so both
/// spellings are given by the caller.
pub(crate) fn is_unique_violation(
    err: &diesel::result::Error,
    constraint: &str,
    sqlite_columns: &str,
) -> bool {
    use diesel::result::{DatabaseErrorKind, Error as D};
    match err {
        D::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.constraint_name() == Some(constraint) || info.message().contains(sqlite_columns)
        }
        _ => false,
    }
}

/// Runs `attempt`, and again (up to [`RACE_ATTEMPTS`] in all) while it loses a write
/// race: when identical requests arrive at once, the first writes its row and the others,
/// finding it taken, run again and see it, so each answers as a request sent a moment
/// later would (the same record, or the usual "already done" refusal), never a conflict or
/// a server error.
pub async fn settle_race<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(e) if e.is_write_race() && tries < RACE_ATTEMPTS => tries += 1,
            other => return other,
        }
    }
}

/// Attempts of one change that keeps losing races before its conflict is reported.
const RACE_ATTEMPTS: u32 = 4;
