//! A fresh database per test, on the backend the run was asked for.

use std::sync::atomic::{AtomicU32, Ordering};

use copse::config::DatabaseUrl;
use diesel::{Connection, PgConnection, RunQueryDsl};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server to create test databases on, if this run uses PostgreSQL.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("COPSE_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: DatabaseUrl,
    /// Holds the SQLite file and serves as the data dir.
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    /// A fresh database on this run's backend.
    pub fn new() -> TestDb {
        match postgres_admin_url() {
            Some(admin) => Self::postgres(&admin),
            None => Self::sqlite(),
        }
    }

    /// A fresh SQLite database, whatever the run's backend.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("copse.db"));
        TestDb {
            url,
            dir,
            pg_name: None,
        }
    }

    /// A fresh PostgreSQL database on the server at `admin`.
    pub fn postgres(admin: &str) -> TestDb {
        let name = format!(
            "copse_t_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut conn = PgConnection::establish(admin)
            .unwrap_or_else(|e| panic!("COPSE_TEST_POSTGRES_URL is unreachable: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        let mut url = url::Url::parse(admin).expect("COPSE_TEST_POSTGRES_URL is a URL");
        url.set_path(&format!("/{name}"));
        TestDb {
            url: DatabaseUrl::Postgres(url.to_string()),
            dir: tempfile::tempdir().expect("temp dir"),
            pg_name: Some(name),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_name.is_some()
    }

    /// The URL as `COPSE_DATABASE_URL` takes it.
    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => u.clone(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Some(name), Some(admin)) = (&self.pg_name, postgres_admin_url())
            && let Ok(mut conn) = PgConnection::establish(&admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}
