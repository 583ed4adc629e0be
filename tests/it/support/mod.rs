//! Shared test helpers: databases, in-process servers, the copse binary.

#![allow(dead_code)]

pub mod binary;
pub mod db;
pub mod fixtures;
pub mod peer;
pub mod schema;
pub mod server;
pub mod sink;

pub use db::TestDb;
pub use server::TestServer;

use std::time::{Duration, Instant};

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
