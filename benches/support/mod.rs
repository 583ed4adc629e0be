//! What the benchmarks share: a PostgreSQL database of their own, and the machine they ran
//! on, printed with every figure.

// Each benchmark uses what it needs of this module.
#![allow(dead_code)]

pub mod server;

use diesel::{Connection, PgConnection, RunQueryDsl};
use url::Url;

/// A database of its own on the PostgreSQL server, dropped when done.
pub struct PgBench {
    admin: String,
    name: String,
    pub url: String,
}

impl PgBench {
    /// Creates the database `name` (dropping a stale one) on the server `admin` names.
    pub fn create(admin: &str, name: &str) -> PgBench {
        let mut conn = PgConnection::establish(admin)
            .unwrap_or_else(|e| panic!("COPSE_BENCH_POSTGRES_URL is unreachable: {e}"));
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop stale benchmark database");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create benchmark database");
        let mut url = Url::parse(admin).expect("COPSE_BENCH_POSTGRES_URL is a URL");
        url.set_path(&format!("/{name}"));
        PgBench {
            admin: admin.to_string(),
            name: name.to_string(),
            url: url.to_string(),
        }
    }
}

impl Drop for PgBench {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
