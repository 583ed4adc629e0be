//! Signing outgoing requests: deliveries to inboxes and, for servers in secure mode, fetches.
//!
//! The signer writes every header the signature covers itself (`Host`, `Date`, the digest)
//! rather than trusting the HTTP client to produce the same bytes later: a signature over a
//! `Host` the client then writes differently fails at the peer with no hint why.
//!
//! draft-cavage is the default because every fediverse server accepts it; RFC 9421 is for
//! peers known to accept it (Mastodon 4.5+). The cavage header list follows Mastodon and
//! Lemmy: `(request-target) host date`, plus `digest` with a body and `content-type` when
//! set. The RFC 9421 component list is what Mastodon requires: `@method` and `@target-uri`,
//! plus `content-digest` with a body.

use chrono::{DateTime, Utc};
use http::header::{CONTENT_TYPE, DATE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use url::Url;

use super::cavage;
use super::digest;
use super::freshness;
use super::keys::SigningKey;
use super::request::RequestParts;
use super::rfc9421::{self, SignatureParams};
use super::verify::Scheme;
use crate::error::{Error, Result};

/// An actor's key, ready to sign requests on its behalf.
#[derive(Debug)]
pub struct RequestSigner {
    key_id: String,
    key: SigningKey,
}

impl RequestSigner {
    /// A signer for the key published at `key_id` (e.g. `https://cop.example/u/ana#main-key`).
    pub fn new(key_id: impl Into<String>, key: SigningKey) -> Self {
        RequestSigner {
            key_id: key_id.into(),
            key,
        }
    }

    /// A signer from the private key PEM as stored.
    pub fn from_pem(key_id: impl Into<String>, private_key_pem: &str) -> Result<Self> {
        Ok(Self::new(key_id, SigningKey::from_pem(private_key_pem)?))
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs a request to `url`: sets `Host` and `Date`, the body's digest when there is a
    /// body (`Some`, even if empty), and the signature headers of `scheme`. Other headers
    /// already in `headers` (`Content-Type`, say) are kept, and `Content-Type` is signed.
    pub fn sign(
        &self,
        scheme: Scheme,
        method: &Method,
        url: &Url,
        headers: &mut HeaderMap,
        body: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        if host.is_empty() {
            return Err(Error::internal(format!("cannot sign a request to {url}")));
        }
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        set(headers, HOST, &host)?;
        set(headers, DATE, &freshness::http_date(now))?;
        match scheme {
            Scheme::DraftCavage => {
                let mut covered = vec![cavage::REQUEST_TARGET, "host", "date"];
                if let Some(body) = body {
                    set(
                        headers,
                        HeaderName::from_static("digest"),
                        &digest::digest_header(body),
                    )?;
                    covered.push("digest");
                }
                if headers.contains_key(CONTENT_TYPE) {
                    covered.push("content-type");
                }
                let parts = parts(method, url, &path_and_query, headers);
                let signature =
                    cavage::sign(&parts, &self.key_id, "rsa-sha256", &covered, &self.key)?;
                set(
                    headers,
                    HeaderName::from_static("signature"),
                    &signature.to_header_value(),
                )
            }
            Scheme::Rfc9421 => {
                let mut covered = vec!["@method", "@target-uri"];
                if let Some(body) = body {
                    set(
                        headers,
                        HeaderName::from_static("content-digest"),
                        &digest::content_digest_header(body),
                    )?;
                    covered.push("content-digest");
                }
                let params = SignatureParams::new(&covered)
                    .created(now.timestamp())
                    .key_id(&self.key_id)
                    .alg("rsa-v1_5-sha256");
                let parts = parts(method, url, &path_and_query, headers);
                let (input, signature) =
                    rfc9421::sign(&parts, &params, rfc9421::DEFAULT_LABEL, &self.key)?;
                set(headers, HeaderName::from_static("signature-input"), &input)?;
                set(headers, HeaderName::from_static("signature"), &signature)
            }
        }
    }
}

fn parts<'a>(
    method: &'a Method,
    url: &'a Url,
    path_and_query: &'a str,
    headers: &'a HeaderMap,
) -> RequestParts<'a> {
    RequestParts {
        method,
        scheme: url.scheme(),
        authority: None,
        path_and_query,
        headers,
    }
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &str) -> Result<()> {
    let value = HeaderValue::from_str(value).map_err(Error::internal)?;
    headers.insert(name, value);
    Ok(())
}
