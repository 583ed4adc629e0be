//! The fetcher: one HTTP client with copse's rules, and the GET-and-parse of a JSON object.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Response, StatusCode, redirect};
use serde_json::Value;
use url::Url;

use super::policy::{FetchPolicy, redacted, refused};
use super::resolver::{AddressRefused, GuardedResolver};
use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::policy::{PolicyCache, doors};

/// The `Accept` header for ActivityPub objects.
pub const ACCEPT_ACTIVITY: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// The `User-Agent` copse sends, e.g. `copse/0.1.0 (+https://cop.example.org)`, naming the
/// server so that remote admins know whom to contact.
pub fn user_agent(public_url: &str) -> String {
    format!("copse/{} (+{public_url})", env!("CARGO_PKG_VERSION"))
}

/// A JSON document fetched from another server.
#[derive(Debug, Clone)]
pub struct FetchedJson {
    /// Where the document was finally found, after redirects. Callers checking that an
    /// object's `id` belongs to the server that served it should compare with this.
    pub url: Url,
    /// The (successful) status of the final answer.
    pub status: StatusCode,
    /// The parsed body.
    pub json: Value,
}

/// Fetches remote objects under a [`FetchPolicy`]. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Fetcher {
    pub(super) client: reqwest::Client,
    pub(super) policy: FetchPolicy,
    /// The instance's domain policy: no request goes to a blocked domain.
    pub(super) domains: Option<Arc<PolicyCache>>,
}

impl Fetcher {
    /// A fetcher with these rules, sending this `User-Agent` (see [`user_agent`]).
    pub fn new(policy: FetchPolicy, user_agent: &str) -> Result<Fetcher> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .dns_resolver(GuardedResolver { dev: policy.dev })
            // Redirects are followed in `get_json_with`, to check and sign every hop.
            .redirect(redirect::Policy::none())
            .referer(false)
            // A proxy would resolve names itself, out of the guard's reach.
            .no_proxy()
            .https_only(!policy.dev)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .build()
            .map_err(|e| {
                Error::new(ErrorCode::Internal, "the HTTP client cannot be built").with_cause(e)
            })?;
        Ok(Fetcher {
            client,
            policy,
            domains: None,
        })
    }

    /// The fetcher for this configuration: its `dev` switch and its public URL in the
    /// `User-Agent`.
    pub fn from_config(config: &Config) -> Result<Fetcher> {
        Fetcher::new(
            FetchPolicy::for_config(config),
            &user_agent(&config.public_url()),
        )
    }

    /// This fetcher, refusing every URL on a domain `domains` blocks (`domain_blocked`),
    /// the first and every redirect hop, before any network I/O.
    pub fn with_domain_policy(mut self, domains: Arc<PolicyCache>) -> Fetcher {
        self.domains = Some(domains);
        self
    }

    /// Refuses `url` when the domain policy blocks its domain.
    pub(super) async fn check_domain(&self, url: &Url) -> Result<()> {
        match &self.domains {
            Some(domains) => doors::check_url(domains.current().await.as_ref(), url),
            None => Ok(()),
        }
    }

    /// The rules this fetcher follows.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// GETs `url` and parses the answer as JSON, sending `accept` and `extra_headers` to
    /// every hop. For headers that depend on the URL, such as an HTTP signature, use
    /// [`Fetcher::get_json_with`].
    pub async fn get_json(
        &self,
        url: &Url,
        accept: &str,
        extra_headers: HeaderMap,
    ) -> Result<FetchedJson> {
        self.get_json_with(url, accept, |_| Ok(extra_headers.clone()))
            .await
    }

    /// GETs `url` and parses the answer as JSON. `headers_for` is called with the URL of
    /// each hop (the first and every redirect target) just before it is requested and gives
    /// the headers to add, e.g. `Date` and `Signature` (they replace copse's own headers of
    /// the same name); its error ends the fetch before that hop is requested.
    ///
    /// Errors: `fetch_refused` when the rules forbid a URL or address (no request is made
    /// to it), `fetch_not_found` for 404, `fetch_gone` for 410 (the object was deleted),
    /// `fetch_failed` for other statuses, network failures and timeouts, `fetch_too_large`
    /// past [`FetchPolicy::max_bytes`], `fetch_not_json` when the body does not parse.
    pub async fn get_json_with<F>(
        &self,
        url: &Url,
        accept: &str,
        mut headers_for: F,
    ) -> Result<FetchedJson>
    where
        F: FnMut(&Url) -> Result<HeaderMap>,
    {
        let deadline = Instant::now() + self.policy.timeout;
        let accept = HeaderValue::from_str(accept).map_err(|_| {
            Error::new(
                ErrorCode::Internal,
                format!("{accept:?} is not a valid Accept header"),
            )
        })?;
        self.policy.check_url(url)?;
        self.check_domain(url).await?;
        let mut current = url.clone();
        let mut hop = 0;
        loop {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, accept.clone());
            headers.extend(headers_for(&current)?);
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.timed_out(&current));
            }
            let response = self
                .client
                .get(current.clone())
                .headers(headers)
                .timeout(remaining)
                .send()
                .await
                .map_err(|e| self.transport_error(&current, e))?;
            let status = response.status();
            match redirect_target(&current, &response)? {
                Some(next) => {
                    hop += 1;
                    self.policy.check_redirect(hop, &current, &next)?;
                    self.check_domain(&next).await?;
                    current = next;
                }
                None if status.is_success() => {
                    let body = self.read_body(&current, response).await?;
                    let json = serde_json::from_slice(&body).map_err(|e| {
                        Error::new(
                            ErrorCode::FetchNotJson,
                            format!("the answer from {} is not JSON: {e}", redacted(&current)),
                        )
                        .with_cause(e)
                    })?;
                    return Ok(FetchedJson {
                        url: current,
                        status,
                        json,
                    });
                }
                None => return Err(status_error(&current, status)),
            }
        }
    }

    /// The body, refused as soon as it is known to exceed the limit: from `Content-Length`
    /// before reading, else from the chunks read so far.
    async fn read_body(&self, url: &Url, mut response: Response) -> Result<Vec<u8>> {
        let max = self.policy.max_bytes;
        let too_large = || {
            Error::new(
                ErrorCode::FetchTooLarge,
                format!(
                    "the answer from {} is larger than {max} bytes",
                    redacted(url)
                ),
            )
        };
        let declared = response.content_length();
        if declared.is_some_and(|len| len > max as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(declared.map_or(0, |len| len as usize));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(url, e))?
        {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The copse error for a failed request: the guard's refusal when the resolver refused,
    /// else `fetch_failed`.
    pub(super) fn transport_error(&self, url: &Url, err: reqwest::Error) -> Error {
        if let Some(refusal) = find_source::<AddressRefused>(&err) {
            return refused(url, &refusal.to_string());
        }
        if err.is_timeout() {
            return self.timed_out(url).with_cause(err);
        }
        let what = if err.is_connect() {
            format!(
                "could not connect to {}",
                url.host_str().unwrap_or_default()
            )
        } else {
            format!("fetching {} failed", redacted(url))
        };
        Error::new(ErrorCode::FetchFailed, what).with_cause(err)
    }

    fn timed_out(&self, url: &Url) -> Error {
        Error::new(
            ErrorCode::FetchFailed,
            format!(
                "fetching {} took longer than {}",
                redacted(url),
                seconds(self.policy.timeout)
            ),
        )
    }
}

/// Where a redirect answer points, or `None` for any other answer.
fn redirect_target(current: &Url, response: &Response) -> Result<Option<Url>> {
    let status = response.status();
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| current.join(v).ok())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::FetchFailed,
                format!(
                    "{} answered {status} without a usable Location",
                    redacted(current)
                ),
            )
        })?;
    Ok(Some(location))
}

/// The error for an unsuccessful status; 404 and 410 have codes of their own because a
/// caller treats a deleted object differently from a failing server.
fn status_error(url: &Url, status: StatusCode) -> Error {
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::FetchNotFound,
        StatusCode::GONE => ErrorCode::FetchGone,
        _ => ErrorCode::FetchFailed,
    };
    Error::new(code, format!("{} answered {status}", redacted(url)))
}

/// The first error of type `E` in the chain of `err`'s sources.
fn find_source<'a, E: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}
