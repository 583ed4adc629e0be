//! Migrating a delivery queue queued by an earlier copse: activities stored once per
//! inbox become one activity with a delivery row per inbox, and nothing queued is lost.

use copse::db::Database;
use diesel::migration::MigrationSource;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};

use crate::support::TestDb;

/// The last version whose queue held a copy of the activity on every row (migration
/// 2026-12-01-000009, as diesel records it).
const BEFORE: &str = "20261201000009";

/// Rows as migration 000009 left the queue: activity A to three inboxes (the second leased
/// by a worker that was stopped, its retry moved to the lease's end), activity B to one
/// inbox that failed twice.
const OLD_QUEUE: &str = "
INSERT INTO deliveries (id, activity_id, signer_ap_id, inbox, domain, body, attempts,
                        next_attempt_at, last_error, created_at, leased_until) VALUES
 (1, 'https://here.example/a', 'https://here.example/c/x', 'https://one.example/inbox', 'one.example',
  '{\"id\":\"https://here.example/a\"}', 0, '2026-11-30 10:00:00', NULL, '2026-11-30 10:00:00', NULL),
 (2, 'https://here.example/a', 'https://here.example/c/x', 'https://two.example/inbox', 'two.example',
  '{\"id\":\"https://here.example/a\"}', 0, '2026-11-30 10:02:00', NULL, '2026-11-30 10:00:00', '2026-11-30 10:02:00'),
 (3, 'https://here.example/a', 'https://here.example/c/x', 'https://three.example/inbox', 'three.example',
  '{\"id\":\"https://here.example/a\"}', 0, '2026-11-30 10:00:00', NULL, '2026-11-30 10:00:00', NULL),
 (7, 'https://here.example/b', 'https://here.example/u/ana', 'https://one.example/inbox', 'one.example',
  '{\"id\":\"https://here.example/b\"}', 2, '2026-11-30 11:00:00', 'the inbox answered 503', '2026-11-30 10:30:00', NULL)";

/// Applies the migrations of `dir` up to and including [`BEFORE`].
fn migrate_to_before<C, DB>(conn: &mut C, dir: &str)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB> + diesel::migration::MigrationConnection,
    FileBasedMigrations: MigrationSource<DB>,
{
    conn.setup().expect("the migrations table");
    let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
    let source = FileBasedMigrations::from_path(&path).expect("migrations dir");
    let mut all = MigrationSource::<DB>::migrations(&source).expect("read migrations");
    all.sort_by_key(|m| m.name().version().to_string());
    for m in all
        .iter()
        .take_while(|m| m.name().version().to_string().as_str() <= BEFORE)
    {
        conn.run_migration(m.as_ref())
            .expect("apply an old migration");
    }
}

fn queue_as_before(db: &TestDb) {
    match &db.url {
        copse::config::DatabaseUrl::Sqlite(p) => {
            let mut c = diesel::SqliteConnection::establish(&p.to_string_lossy()).expect("open");
            migrate_to_before(&mut c, "sqlite");
            diesel::sql_query(OLD_QUEUE)
                .execute(&mut c)
                .expect("old rows");
        }
        copse::config::DatabaseUrl::Postgres(u) => {
            let mut c = diesel::PgConnection::establish(u).expect("open");
            migrate_to_before(&mut c, "postgres");
            diesel::sql_query(OLD_QUEUE)
                .execute(&mut c)
                .expect("old rows");
        }
    }
}

#[tokio::test]
async fn a_queue_from_before_activities_were_stored_once_migrates_whole() {
    let db = TestDb::new();
    queue_as_before(&db);
    let database = Database::connect(&db.url, 2).await.expect("connect");
    let report = database.migrate().await.expect("migrate");
    assert!(
        report.applied.iter().all(|v| v.as_str() > BEFORE),
        "only the newer migrations ran: {:?}",
        report.applied
    );
    assert!(!report.applied.is_empty());
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(10, 1, 0))
        .expect("a time");
    let rows = database
        .run(move |c| Ok(copse::db::deliveries::queued(c, now)?))
        .await
        .expect("read the queue");
    let got: Vec<(i64, String, String, String, i32, Option<String>)> = rows
        .iter()
        .map(|r| {
            (
                r.id,
                r.activity_id.clone(),
                r.signer_ap_id.clone(),
                r.inbox.clone(),
                r.attempts,
                r.last_error.clone(),
            )
        })
        .collect();
    let a = "https://here.example/a".to_string();
    let b = "https://here.example/b".to_string();
    let community = "https://here.example/c/x".to_string();
    let ana = "https://here.example/u/ana".to_string();
    assert_eq!(
        got,
        vec![
            (
                1,
                a.clone(),
                community.clone(),
                "https://one.example/inbox".into(),
                0,
                None
            ),
            (
                2,
                a.clone(),
                community.clone(),
                "https://two.example/inbox".into(),
                0,
                None
            ),
            (
                3,
                a.clone(),
                community.clone(),
                "https://three.example/inbox".into(),
                0,
                None
            ),
            (
                7,
                b.clone(),
                ana,
                "https://one.example/inbox".into(),
                2,
                Some("the inbox answered 503".into())
            ),
        ]
    );
    // One stored activity for A's three rows, one for B's.
    assert_eq!(rows[0].activity, rows[1].activity);
    assert_eq!(rows[0].activity, rows[2].activity);
    assert_ne!(rows[0].activity, rows[3].activity);
    assert!(rows.iter().all(|r| r.body.contains(&r.activity_id)));
    // The row that was in flight is due again, and no lease survived.
    assert!(
        rows[1].next_attempt_at <= now,
        "{:?}",
        rows[1].next_attempt_at
    );
    assert!(rows.iter().all(|r| r.leased_until.is_none()));
    let activities = database
        .run(|c| {
            use copse::db::schema::outgoing_activities;
            use diesel::QueryDsl;
            Ok(outgoing_activities::table.count().get_result::<i64>(c)?)
        })
        .await
        .expect("count activities");
    assert_eq!(activities, 2);
}
