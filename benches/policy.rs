//! What the federation policy costs: the in-memory verdict every door asks for, the load of
//! the snapshot, and the check the delivery queue makes in the database when it queues.
//!
//! Run with `cargo bench --bench policy` (SQLite in a temporary directory).
//!
//! 1. `is_blocked` on a snapshot with 0, 1,000 and 100,000 rules (a large shared blocklist),
//!    for authorities with subdomains and ports, half of them covered: the time per verdict.
//! 2. Loading the snapshot from the database (what a reload costs) with those rule counts.
//! 3. `blocked_among` as `delivery::enqueue` calls it for a fan-out to 1,000 inbox domains,
//!    with those rule counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use copse::config::DatabaseUrl;
use copse::db::Database;
use copse::db::domain_policies::{self, DomainPolicyRow};
use copse::federation::policy::{self, FederationMode, FederationPolicy, doors};

fn rule(domain: String) -> DomainPolicyRow {
    let now = chrono::Utc::now().naive_utc();
    DomainPolicyRow {
        domain,
        severity: "block".into(),
        reject_media: false,
        reject_reports: false,
        allowed: false,
        public_comment: None,
        private_comment: None,
        obfuscate: false,
        created_at: now,
        updated_at: now,
    }
}

fn authorities(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("social.server{}.example:{}", i * 2, 8000 + i % 10))
        .collect()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    for rules in [0usize, 1_000, 100_000] {
        let rows: Vec<DomainPolicyRow> = (0..rules)
            .map(|i| rule(format!("server{i}.example")))
            .collect();
        let snapshot =
            FederationPolicy::new("cop.example", FederationMode::Blocklist, &rows, vec![]);
        let probes = authorities(10_000);
        let started = Instant::now();
        let mut blocked = 0;
        for _ in 0..10 {
            for a in &probes {
                blocked += usize::from(snapshot.is_blocked(a));
            }
        }
        let per = started.elapsed().as_nanos() as f64 / 100_000.0;
        println!(
            "is_blocked, {rules:>6} rules: {per:>7.0} ns per verdict ({blocked} blocked of 100000)"
        );

        let url = DatabaseUrl::Sqlite(dir.path().join(format!("policy-{rules}.db")));
        let db = Database::connect(&url, 2).await.unwrap();
        db.migrate().await.unwrap();
        db.transaction(move |c| {
            for r in &rows {
                domain_policies::save(c, r)?;
            }
            Ok(())
        })
        .await
        .unwrap();
        let started = Instant::now();
        db.run(|c| policy::load(c, "cop.example")).await.unwrap();
        println!(
            "load snapshot, {rules:>6} rules: {:>7.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        let inboxes = authorities(1_000);
        let started = Instant::now();
        let found = db
            .run(move |c| doors::blocked_among(c, &inboxes))
            .await
            .unwrap();
        println!(
            "blocked_among 1000 domains, {rules:>6} rules: {:>7.1} ms ({} blocked)",
            started.elapsed().as_secs_f64() * 1000.0,
            found.len()
        );
    }
}
