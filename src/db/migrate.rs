//! Embedded migrations, one set per backend (their DDL differs; their schema must not).
//!
//! Each migration runs in its own transaction, so a failure leaves the database at the
//! last complete version. A database already migrated by a newer copse is refused rather
//! than used with a schema this binary does not know. On PostgreSQL an advisory lock lets
//! several copse processes start at once without racing on the same migration.

use diesel::backend::Backend as DieselBackend;
use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationSource, MigrationVersion};
use diesel::{RunQueryDsl, sql_query};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;
use crate::error::{Error, ErrorCode, Result};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant identifying copse's migration lock among advisory locks.
const PG_MIGRATION_LOCK: i64 = 0x0063_6f70_7365; // "copse" in ASCII

/// What a migration run did.
#[derive(Debug, Clone)]
pub struct MigrationReport {
    /// Versions applied by this run, oldest first.
    pub applied: Vec<String>,
    /// The newest version the database is now at.
    pub current: Option<String>,
}

pub(super) fn run(conn: &mut DbConnection) -> Result<MigrationReport> {
    match conn {
        DbConnection::Sqlite(c) => migrate(c, SQLITE),
        DbConnection::Postgres(c) => {
            check_postgres_version(c)?;
            // Migrations may wait for another process's, and may rewrite large tables: the
            // session's request-sized bounds (`pool::PG_SESSION`) are lifted meanwhile.
            c.batch_execute("SET lock_timeout = 0; SET statement_timeout = 0")
                .map_err(Error::internal)?;
            sql_query(format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))
                .execute(c)
                .map_err(Error::internal)?;
            let result = migrate(c, POSTGRES);
            let unlock =
                sql_query(format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})")).execute(c);
            let restore = c.batch_execute(super::pool::PG_SESSION);
            let report = result?;
            unlock.map_err(Error::internal)?;
            restore.map_err(Error::internal)?;
            Ok(report)
        }
    }
}

fn migrate<C, DB>(conn: &mut C, source: EmbeddedMigrations) -> Result<MigrationReport>
where
    DB: DieselBackend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let known: Vec<Box<dyn Migration<DB>>> = source.migrations().map_err(migration_error)?;
    let known_versions: Vec<MigrationVersion<'static>> = known
        .iter()
        .map(|m| m.name().version().as_owned())
        .collect();
    let applied = conn.applied_migrations().map_err(migration_error)?;
    if let Some(unknown) = applied.iter().find(|v| !known_versions.contains(v)) {
        return Err(Error::new(
            ErrorCode::SchemaTooNew,
            format!(
                "the database has migration {unknown}, which this copse ({}) does not know: \
                 it was used by a newer copse; run that version or restore a backup",
                env!("CARGO_PKG_VERSION")
            ),
        ));
    }
    let done = conn
        .run_pending_migrations(source)
        .map_err(migration_error)?;
    let applied_now: Vec<String> = done.iter().map(ToString::to_string).collect();
    let current = known_versions.last().map(ToString::to_string);
    Ok(MigrationReport {
        applied: applied_now,
        current,
    })
}

#[derive(diesel::QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Whether the database holds the newest migration this binary knows. A database replaced
/// under a running server (by an empty one, a restored older backup) does not; asked by
/// `/healthz`, read only.
pub(super) fn is_current(conn: &mut DbConnection) -> bool {
    let newest = match conn {
        DbConnection::Sqlite(_) => newest_known::<diesel::sqlite::Sqlite>(SQLITE),
        DbConnection::Postgres(_) => newest_known::<diesel::pg::Pg>(POSTGRES),
    };
    let Some(newest) = newest else {
        return true;
    };
    let query =
        sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version DESC LIMIT 1");
    let applied: Option<AppliedVersion> = match conn {
        DbConnection::Sqlite(c) => query.get_result(c).ok(),
        DbConnection::Postgres(c) => query.get_result(c).ok(),
    };
    applied.is_some_and(|a| a.version >= newest)
}

fn newest_known<DB: DieselBackend>(source: EmbeddedMigrations) -> Option<String>
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    source
        .migrations()
        .ok()?
        .last()
        .map(|m| m.name().version().to_string())
}

#[derive(diesel::QueryableByName)]
struct ServerVersion {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    version: i32,
}

/// copse's PostgreSQL DDL needs version 13 or newer.
fn check_postgres_version(conn: &mut diesel::PgConnection) -> Result<()> {
    let row: ServerVersion =
        sql_query("SELECT current_setting('server_version_num')::int AS version")
            .get_result(conn)
            .map_err(Error::internal)?;
    if row.version < 130_000 {
        return Err(Error::new(
            ErrorCode::DatabaseUnsupported,
            format!(
                "PostgreSQL {} is too old: copse needs PostgreSQL 13 or newer",
                row.version / 10_000
            ),
        ));
    }
    Ok(())
}

fn migration_error(e: Box<dyn std::error::Error + Send + Sync>) -> Error {
    let message = e.to_string();
    let code = if message.contains("not a database") || message.contains("file is encrypted") {
        ErrorCode::DatabaseUnavailable
    } else {
        ErrorCode::Internal
    };
    Error::new(code, format!("database migration failed: {message}"))
}
