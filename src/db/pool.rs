//! The connection pool: deadpool managing blocking diesel connections.
//!
//! Each connection is opened for the backend the URL names (diesel's own
//! `MultiConnection::establish` would try every backend in turn, hiding the real error and
//! possibly creating a stray SQLite file named like a PostgreSQL URL).

use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use deadpool_sync::SyncWrapper;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

use super::{CHECKOUT_TIMEOUT, DbConnection};
use crate::config::DatabaseUrl;
use crate::error::{Error, ErrorCode, Result};

pub(super) type Pool = managed::Pool<Manager>;

/// Settings applied to every SQLite connection: WAL lets readers run beside the writer,
/// the busy timeout makes writers queue instead of failing, and foreign keys are off by
/// default in SQLite. Each connection's page cache is held to 512 KiB (SQLite's default is
/// 2,000 KiB): with the pool's connections that was 16 MB that filled slowly as the
/// database grew, read by a soak as memory creeping up, while pages beyond the cache come
/// from the operating system's file cache at little cost.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; \
    PRAGMA journal_mode = WAL; \
    PRAGMA foreign_keys = ON; \
    PRAGMA synchronous = NORMAL; \
    PRAGMA cache_size = -512;";

/// Bounds on every PostgreSQL session, matching SQLite's: a writer waits at most five
/// seconds for a lock (then the request is answered 503 `database_busy`, never 500), no
/// statement runs past the longest request, and a connection left idle inside a transaction
/// is closed by the server rather than holding its locks.
pub(super) const PG_SESSION: &str = "SET lock_timeout = '5s'; \
    SET statement_timeout = '30s'; \
    SET idle_in_transaction_session_timeout = '60s';";

/// Connections idle longer than this are checked with a query before reuse, so a
/// PostgreSQL restart does not hand dead connections to requests.
const VERIFY_AFTER_IDLE: Duration = Duration::from_secs(30);

pub(super) struct Manager {
    url: DatabaseUrl,
}

pub(super) fn build(url: &DatabaseUrl, size: usize) -> Result<Pool> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        // A directory that cannot be made is a configuration problem (exit code 2).
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!(
                    "cannot create the directory {} for the SQLite database: {e}",
                    parent.display()
                ),
            )
        })?;
    }
    managed::Pool::builder(Manager { url: url.clone() })
        .max_size(size)
        .wait_timeout(Some(CHECKOUT_TIMEOUT))
        .create_timeout(Some(CHECKOUT_TIMEOUT))
        .recycle_timeout(Some(CHECKOUT_TIMEOUT))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| Error::internal(format!("cannot build the database pool: {e}")))
}

pub(super) fn establish(url: &DatabaseUrl) -> Result<DbConnection> {
    match url {
        DatabaseUrl::Postgres(raw) => {
            let mut conn = PgConnection::establish(raw).map_err(|e| {
                Error::new(
                    ErrorCode::DatabaseUnavailable,
                    format!(
                        "cannot connect to the database {url}: {}",
                        e.to_string().trim()
                    ),
                )
            })?;
            conn.batch_execute(PG_SESSION).map_err(|e| {
                Error::new(
                    ErrorCode::DatabaseUnavailable,
                    format!("cannot set up a session on {url}: {e}"),
                )
            })?;
            Ok(DbConnection::Postgres(conn))
        }
        DatabaseUrl::Sqlite(path) => {
            let path_str = path.to_string_lossy();
            let mut conn = SqliteConnection::establish(&path_str).map_err(|e| {
                Error::new(
                    ErrorCode::DatabaseUnavailable,
                    format!("cannot open the SQLite database {}: {e}", path.display()),
                )
            })?;
            conn.batch_execute(SQLITE_PRAGMAS).map_err(|e| {
                Error::new(
                    ErrorCode::DatabaseUnavailable,
                    format!("cannot use {} as a SQLite database: {e}", path.display()),
                )
            })?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

impl managed::Manager for Manager {
    type Type = SyncWrapper<DbConnection>;
    type Error = Error;

    async fn create(&self) -> Result<Self::Type> {
        let url = self.url.clone();
        SyncWrapper::new(Runtime::Tokio1, move || establish(&url)).await
    }

    async fn recycle(&self, conn: &mut Self::Type, metrics: &Metrics) -> RecycleResult<Error> {
        if conn.is_mutex_poisoned() {
            return Err(RecycleError::message("connection mutex poisoned"));
        }
        let verify = metrics.last_used() > VERIFY_AFTER_IDLE;
        let healthy = conn
            .interact(move |c| {
                use diesel::connection::TransactionManager;
                type Tm = <DbConnection as Connection>::TransactionManager;
                // A connection left inside a transaction must never be handed out again.
                if Tm::is_broken_transaction_manager(c) {
                    return false;
                }
                !verify || c.batch_execute("SELECT 1").is_ok()
            })
            .await
            .unwrap_or(false);
        if healthy {
            Ok(())
        } else {
            Err(RecycleError::message("connection unusable"))
        }
    }
}

pub(super) fn checkout_error(err: managed::PoolError<Error>) -> Error {
    match err {
        managed::PoolError::Backend(e) => e,
        // Every connection busy for the whole wait: the server is overloaded, not broken.
        managed::PoolError::Timeout(_) => crate::error::busy(),
        other => Error::new(
            ErrorCode::DatabaseUnavailable,
            "the database is unavailable",
        )
        .with_cause(Error::internal(other.to_string())),
    }
}
