//! Shared test helpers: databases, in-process servers, the copse binary.

#![allow(dead_code)]

pub mod binary;
pub mod browser;
pub mod db;
pub mod fixtures;
pub mod peer;
pub mod schema;
pub mod server;
pub mod sink;
pub mod soak;
pub mod web;

pub use db::TestDb;
pub use server::TestServer;

use std::time::{Duration, Instant};

/// Waits (up to 20 s) until the server's delivery queue is empty: everything it meant to
/// send was sent.
pub async fn drained(s: &TestServer) {
    eventually(
        Duration::from_secs(20),
        "the delivery queue to drain",
        || async {
            let left = s
                .app
                .db
                .run(|c| Ok(copse::db::deliveries::backlog(c)?.0))
                .await
                .unwrap();
            (left == 0).then_some(())
        },
    )
    .await;
}

/// Polls `check` until it returns `Some`, or panics after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `token`'s user on `s` follows `target` (a handle or URL) and waits until it is accepted.
pub async fn follow_accepted(s: &TestServer, token: &str, target: &str) {
    let (status, f) = s
        .post(
            "/api/v1/follows",
            Some(token),
            serde_json::json!({"target": target}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{f}");
    let id = f["id"].as_i64().unwrap();
    eventually(
        Duration::from_secs(60),
        "the follow to be accepted",
        || async {
            let (_, list) = s.get("/api/v1/follows", Some(token)).await;
            list.as_array()?
                .iter()
                .any(|f| f["id"].as_i64() == Some(id) && f["state"] == "accepted")
                .then_some(())
        },
    )
    .await;
}
