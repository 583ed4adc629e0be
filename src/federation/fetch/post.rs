//! Delivering an activity: a POST to another server's inbox, under the same address rules
//! as fetches (a follower's inbox is a URL its server chose).

use std::time::Duration;

use http::{HeaderMap, StatusCode};
use reqwest::header::RETRY_AFTER;
use url::Url;

use super::Fetcher;
use crate::error::Result;

/// How an inbox answered a delivery.
#[derive(Debug, Clone, Copy)]
pub struct PostOutcome {
    pub status: StatusCode,
    /// `Retry-After` in seconds, when the inbox gave one (with 429 or 503).
    pub retry_after: Option<Duration>,
}

impl Fetcher {
    /// POSTs `body` with `headers` (signed by the caller) to `url`. Redirects are not
    /// followed: a signature covers the target, and an inbox that moves must be re-fetched.
    /// Errors are refusals by the address rules and transport failures; any HTTP status,
    /// success or not, is an outcome for the caller to judge.
    pub async fn post(&self, url: &Url, headers: HeaderMap, body: Vec<u8>) -> Result<PostOutcome> {
        self.policy.check_url(url)?;
        self.check_domain(url).await?;
        let response = self
            .client
            .post(url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport_error(url, e))?;
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Ok(PostOutcome {
            status: response.status(),
            retry_after,
        })
    }
}
