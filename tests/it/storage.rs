//! Storage on both backends: migrations, schema parity, refusal of unknown schemas.

use copse::db::Database;
use diesel::{Connection, RunQueryDsl};

use crate::support::{TestDb, db::postgres_admin_url, schema};

const SNAPSHOT: &str = include_str!("../schema.snapshot");

async fn migrated(db: &TestDb) -> Database {
    let database = Database::connect(&db.url, 2).await.expect("connect");
    database.migrate().await.expect("migrate");
    database
}

fn assert_matches_snapshot(backend: &str, facts: &[String]) {
    let actual = facts.join("\n") + "\n";
    if std::env::var("COPSE_UPDATE_SCHEMA_SNAPSHOT").is_ok() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schema.snapshot"),
            &actual,
        )
        .expect("write snapshot");
        return;
    }
    assert_eq!(
        SNAPSHOT, actual,
        "the {backend} schema differs from tests/schema.snapshot; both migration sets must \
         produce the same schema (rerun with COPSE_UPDATE_SCHEMA_SNAPSHOT=1 after an intended change)"
    );
}

#[tokio::test]
async fn the_sqlite_migrations_produce_the_shared_schema() {
    let db = TestDb::sqlite();
    migrated(&db).await;
    assert_matches_snapshot("SQLite", &schema::describe(&db.url));
}

/// Needs both backends at once, so it runs in the PostgreSQL pass
/// (`COPSE_TEST_POSTGRES_URL=… cargo test -- --include-ignored`); with the SQLite test
/// above, it proves both backends have one schema.
#[tokio::test]
#[ignore = "needs PostgreSQL: set COPSE_TEST_POSTGRES_URL and pass --include-ignored"]
async fn the_postgres_migrations_produce_the_same_schema_as_sqlite() {
    let admin = postgres_admin_url().expect("COPSE_TEST_POSTGRES_URL names a PostgreSQL server");
    let pg = TestDb::postgres(&admin);
    migrated(&pg).await;
    let sqlite = TestDb::sqlite();
    migrated(&sqlite).await;
    let pg_facts = schema::describe(&pg.url);
    assert_eq!(schema::describe(&sqlite.url), pg_facts);
    assert_matches_snapshot("PostgreSQL", &pg_facts);
}

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let db = TestDb::new();
    let database = Database::connect(&db.url, 2).await.expect("connect");
    let first = database.migrate().await.expect("first run");
    assert!(!first.applied.is_empty());
    let second = database.migrate().await.expect("second run");
    assert!(second.applied.is_empty(), "{:?}", second.applied);
    assert_eq!(first.current, second.current);
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_copse_is_refused_untouched() {
    let db = TestDb::new();
    let database = migrated(&db).await;
    database
        .run(|c| {
            diesel::sql_query(
                "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')",
            )
            .execute(c)?;
            Ok(())
        })
        .await
        .expect("insert future version");
    let before = schema::describe(&db.url);
    let err = database.migrate().await.expect_err("refused");
    assert_eq!(err.code().as_str(), "schema_too_new");
    assert!(
        err.message().contains("29991231000000"),
        "{}",
        err.message()
    );
    assert_eq!(schema::describe(&db.url), before);
}

/// A migration that fails half-way (here: a table it creates already exists) leaves no
/// trace: neither its first tables nor a recorded version.
#[tokio::test]
async fn a_failing_migration_leaves_nothing_half_written() {
    let db = TestDb::new();
    match &db.url {
        copse::config::DatabaseUrl::Sqlite(p) => {
            let mut c = diesel::SqliteConnection::establish(&p.to_string_lossy()).expect("open");
            diesel::connection::SimpleConnection::batch_execute(
                &mut c,
                "PRAGMA busy_timeout = 10000",
            )
            .expect("busy timeout");
            diesel::sql_query("CREATE TABLE sessions (x INTEGER)")
                .execute(&mut c)
                .expect("ddl");
        }
        copse::config::DatabaseUrl::Postgres(u) => {
            let mut c = diesel::PgConnection::establish(u).expect("open");
            diesel::sql_query("CREATE TABLE sessions (x INTEGER)")
                .execute(&mut c)
                .expect("ddl");
        }
    }
    let database = Database::connect(&db.url, 2).await.expect("connect");
    database.migrate().await.expect_err("the migration fails");
    let facts = schema::describe(&db.url);
    assert!(
        facts.iter().all(|f| !f.contains("users")),
        "the users table of the failed migration survived: {facts:?}"
    );
    assert_eq!(facts, vec!["column sessions.x integer null".to_string()]);
}

#[tokio::test]
async fn a_transaction_that_fails_writes_nothing() {
    let db = TestDb::new();
    let database = migrated(&db).await;
    let result: copse::Result<()> = database
        .transaction(|c| {
            diesel::sql_query(
                "INSERT INTO users (username, email, password_hash, is_admin, status, created_at, updated_at) \
                 VALUES ('ana', 'ana@example.org', 'x', false, 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            )
            .execute(c)?;
            Err(copse::Error::new(copse::ErrorCode::InvalidRequest, "stop here"))
        })
        .await;
    assert!(result.is_err());
    let count = database
        .run(|c| {
            use diesel::prelude::*;
            Ok(copse::db::schema::users::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn an_unreachable_postgres_is_reported_with_its_address_but_not_its_password() {
    let url = copse::config::DatabaseUrl::parse("postgres://copse:s3cret@127.0.0.1:1/copse")
        .expect("url");
    let err = Database::connect(&url, 1)
        .await
        .err()
        .expect("cannot connect");
    assert_eq!(err.code().as_str(), "database_unavailable");
    assert!(err.message().contains("127.0.0.1:1"), "{}", err.message());
    assert!(!err.message().contains("s3cret"), "{}", err.message());
}
