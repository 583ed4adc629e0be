//! A short soak of the real binary: about 35 s of the mixed load of `support::soak` (reads,
//! API writes by four users, signed inbox traffic from five fake servers, one slow and one
//! down) on this run's backend, then every correctness check: no answer 5xx, no request
//! without an answer, everything written readable as written, every activity for a healthy
//! server delivered. Timing and memory are for `cargo bench --bench soak`.

use std::time::Duration;

use crate::support::{TestDb, soak};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_of_the_binary_under_mixed_load_answers_no_5xx_and_loses_nothing() {
    // Holds the PostgreSQL database (dropped at the end) when the run uses PostgreSQL.
    let db = TestDb::new();
    let (label, url) = if db.is_postgres() {
        ("PostgreSQL", Some(db.url_string()))
    } else {
        ("SQLite", None)
    };
    let mut options = soak::Options::new(label, url, Duration::from_secs(35));
    options.rate = 20.0;
    options.rss_every = Duration::from_secs(2);
    options.slow_delay = Duration::from_secs(2);
    options.drain_deadline = Duration::from_secs(90);
    let report = soak::run(&options).await;
    report.print();
    let failures = report.failures();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        report.checked["posts"] > 0 && report.checked["remote comments"] > 0,
        "the load wrote too little to check: {:?}",
        report.checked
    );
}
