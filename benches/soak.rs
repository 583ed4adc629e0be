//! Soak: the release binary under a steady mixed load for a long time, on SQLite and then on
//! PostgreSQL.
//!
//! Run with `cargo bench --bench soak`. `COPSE_SOAK_SECONDS` sets the length of the load per
//! backend (default 1800), `COPSE_SOAK_RATE` the requests per second (default 30), and
//! `COPSE_BENCH_POSTGRES_URL` (a server on which databases may be created, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) adds PostgreSQL after SQLite.
//!
//! The load and the checks are in `tests/it/support/soak.rs` (the short test in
//! `tests/it/soak.rs` runs the same for 35 s). Besides its checks (no 5xx, no request without
//! an answer, nothing lost), this fails when the resident memory at the end exceeds the one
//! after warm-up (the first 10 % of the load) by more than 10 % + 2 MB. It exits 1 on any
//! failure.

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "../tests/it/support/soak.rs"]
mod soak;

use std::time::Duration;

use support::{PgBench, cores, cpu_model};

fn env_number(name: &str, default: f64) -> f64 {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} is not a number: {v:?}")),
        _ => default,
    }
}

fn main() {
    let seconds = env_number("COPSE_SOAK_SECONDS", 1800.0);
    let rate = env_number("COPSE_SOAK_RATE", 30.0);
    let postgres = std::env::var("COPSE_BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty());
    println!("copse soak benchmark");
    println!("machine: {} cores, {}", cores(), cpu_model());
    println!(
        "load average at start: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!("load: {seconds:.0} s per backend at {rate:.0} requests/s");
    if postgres.is_none() {
        println!("PostgreSQL skipped: set COPSE_BENCH_POSTGRES_URL to include it");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut failed = Vec::new();
    let mut backends: Vec<(&str, Option<PgBench>)> = vec![("SQLite", None)];
    if let Some(admin) = &postgres {
        backends.push((
            "PostgreSQL",
            Some(PgBench::create(admin, "copse_bench_soak")),
        ));
    }
    for (label, db) in &backends {
        let mut options = soak::Options::new(
            label,
            db.as_ref().map(|d| d.url.clone()),
            Duration::from_secs_f64(seconds),
        );
        options.rate = rate;
        println!();
        let report = runtime.block_on(soak::run(&options));
        report.print();
        for failure in report.failures() {
            failed.push(format!("{label}: {failure}"));
        }
        if let Some(growth) = report.rss_growth_failure() {
            println!("FAILED: {growth}");
            failed.push(format!("{label}: {growth}"));
        } else {
            println!("memory: OK (end within 10 % + 2 MB of after warm-up)");
        }
    }
    println!(
        "\nload average at the end: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    if !failed.is_empty() {
        println!("\nsoak FAILED:");
        for f in &failed {
            println!("- {f}");
        }
        std::process::exit(1);
    }
    println!("\nsoak passed");
}
