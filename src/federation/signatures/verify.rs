//! Checking an incoming request's signature, in two steps so the caller can fetch the key in
//! between: [`parse`] reads the signature and applies every rule that needs no key, then
//! [`PendingVerification::verify`] does the cryptography with the key the caller found for
//! [`PendingVerification::key_id`].
//!
//! The cheap rules come first on purpose: fetching a signer's actor is a network request to
//! a server the sender chose, so a request that is stale, unsigned where it matters, or whose
//! body does not match its digest is refused before anything is fetched.
//!
//! The rules, whichever scheme signed:
//! - the signature is dated (`Date` signed, or `created`) within 12 hours of now, and has
//!   not passed its own `expires` ([`super::freshness`]);
//! - it covers the method and target (`(request-target)`; `@method` with `@target-uri`, or
//!   with `@authority` and `@request-target`, or `@path` and `@query` when there is a query)
//!   and the host (`host`; `@authority` or `@target-uri`), so it cannot be replayed against
//!   another endpoint or server;
//! - a request with a body, and every POST, carries `Digest` (`Content-Digest` for RFC 9421)
//!   covered by the signature and matching the body;
//! - the key verifies the signature over exactly what the request says.

use std::future::Future;

use chrono::{DateTime, Utc};
use http::{HeaderMap, Method};

use super::cavage::{self, CavageSignature};
use super::digest;
use super::freshness;
use super::keys::{Algorithm, VerifyingKey};
use super::request::RequestParts;
use super::rfc9421::{self, MessageSignature};
use crate::error::{Error, ErrorCode, Result};

/// Which signature scheme a request was signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// draft-cavage `Signature` (Mastodon, Lemmy and nearly everyone today).
    DraftCavage,
    /// RFC 9421 `Signature-Input` and `Signature`.
    Rfc9421,
}

impl Scheme {
    /// A name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::DraftCavage => "draft-cavage",
            Scheme::Rfc9421 => "rfc9421",
        }
    }
}

/// An incoming request, as the HTTP server received it.
#[derive(Debug, Clone, Copy)]
pub struct IncomingRequest<'a> {
    parts: RequestParts<'a>,
    body: &'a [u8],
}

impl<'a> IncomingRequest<'a> {
    /// A request received over `https` (what peers sign, even when a proxy terminates TLS).
    pub fn new(
        method: &'a Method,
        path_and_query: &'a str,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> Self {
        IncomingRequest {
            parts: RequestParts {
                method,
                scheme: "https",
                authority: None,
                path_and_query,
                headers,
            },
            body,
        }
    }

    /// The scheme the sender used, when it is not `https` (development over plain HTTP).
    pub fn with_scheme(mut self, scheme: &'a str) -> Self {
        self.parts.scheme = scheme;
        self
    }

    /// The authority to use when there is no `Host` header (HTTP/2 sends `:authority`).
    pub fn with_authority(mut self, authority: &'a str) -> Self {
        self.parts.authority = Some(authority);
        self
    }

    fn must_have_digest(&self) -> bool {
        !self.body.is_empty() || *self.parts.method == Method::POST
    }
}

/// A signature that passed every check but the cryptographic one, which needs the key.
#[derive(Debug, Clone)]
pub struct PendingVerification {
    scheme: Scheme,
    key_id: String,
    algorithm: Algorithm,
    base: String,
    signature: Vec<u8>,
}

/// A request whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The key that signed (for ActivityPub, `<actor>#main-key` or similar).
    pub key_id: String,
    pub scheme: Scheme,
}

impl PendingVerification {
    /// The key to fetch: the caller resolves it to an actor and its `publicKeyPem`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// What was signed: the draft-cavage signing string or the RFC 9421 signature base.
    /// Worth logging when a peer's signatures fail.
    pub fn signature_base(&self) -> &str {
        &self.base
    }

    /// Checks the signature with the signer's public key (PEM, as in `publicKeyPem`),
    /// loaded once per process ([`VerifyingKey::cached`]).
    pub fn verify(self, public_key_pem: &str) -> Result<Verified> {
        self.verify_with(&*VerifyingKey::cached(public_key_pem)?)
    }

    /// Checks the signature with an already loaded key.
    pub fn verify_with(self, key: &VerifyingKey) -> Result<Verified> {
        if !key.verify(self.algorithm, self.base.as_bytes(), &self.signature) {
            return Err(Error::new(
                ErrorCode::SignatureInvalid,
                format!(
                    "the {} signature does not verify with the key {}",
                    self.scheme.as_str(),
                    self.key_id
                ),
            ));
        }
        Ok(Verified {
            key_id: self.key_id,
            scheme: self.scheme,
        })
    }
}

/// Reads and checks a request's signature up to the cryptography; see the module docs for
/// the rules. `now` is the verifier's clock, passed in so tests can pin it.
pub fn parse(request: &IncomingRequest<'_>, now: DateTime<Utc>) -> Result<PendingVerification> {
    let parts = &request.parts;
    if let Some(input) = parts.header("signature-input")? {
        let signature = parts.header("signature")?.ok_or_else(|| {
            Error::new(
                ErrorCode::SignatureMalformed,
                "Signature-Input is present but Signature is not",
            )
        })?;
        return parse_rfc9421(request, &MessageSignature::parse(&input, &signature)?, now);
    }
    let header = match parts.header("signature")? {
        Some(value) => value,
        None => match parts.header("authorization")? {
            Some(value) if value.starts_with("Signature ") => value["Signature ".len()..].into(),
            _ => {
                return Err(Error::new(
                    ErrorCode::SignatureMissing,
                    "the request is not signed (no Signature header)",
                ));
            }
        },
    };
    parse_cavage(request, &CavageSignature::parse(&header)?, now)
}

/// [`parse`] and [`PendingVerification::verify`] with a key fetched in between by
/// `fetch_public_key(key_id)`, which returns the signer's public key PEM.
pub async fn verify_request<F, Fut>(
    request: &IncomingRequest<'_>,
    now: DateTime<Utc>,
    fetch_public_key: F,
) -> Result<Verified>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<String>>,
{
    let pending = parse(request, now)?;
    let pem = fetch_public_key(pending.key_id.clone()).await?;
    pending.verify(&pem)
}

fn parse_cavage(
    request: &IncomingRequest<'_>,
    sig: &CavageSignature,
    now: DateTime<Utc>,
) -> Result<PendingVerification> {
    let parts = &request.parts;
    let algorithm = sig.verification_algorithm()?;

    let signed_at = if sig.covers(cavage::CREATED) {
        freshness::from_unix(sig.created.ok_or_else(|| {
            Error::new(
                ErrorCode::SignatureMalformed,
                "(created) is signed but there is no created parameter",
            )
        })?)?
    } else if sig.covers("date") {
        let date = parts.header("date")?.ok_or_else(|| {
            Error::new(
                ErrorCode::SignatureInvalid,
                "the signature covers the date header, which the request lacks",
            )
        })?;
        freshness::parse_http_date(&date)?
    } else {
        return Err(weak("the Date header or (created)"));
    };
    let expires = sig.expires.map(freshness::from_unix).transpose()?;
    freshness::check(signed_at, expires, now)?;

    if !sig.covers(cavage::REQUEST_TARGET) {
        return Err(weak("(request-target)"));
    }
    if parts.host()?.is_some() && !sig.covers("host") {
        return Err(weak("the Host header"));
    }
    check_body(
        request,
        sig.covers("digest"),
        "digest",
        digest::check_digest,
    )?;

    Ok(PendingVerification {
        scheme: Scheme::DraftCavage,
        key_id: sig.key_id.clone(),
        algorithm,
        base: cavage::signing_string(parts, &sig.headers, sig.created, sig.expires)?,
        signature: sig.signature.clone(),
    })
}

fn parse_rfc9421(
    request: &IncomingRequest<'_>,
    sig: &MessageSignature,
    now: DateTime<Utc>,
) -> Result<PendingVerification> {
    let parts = &request.parts;
    let params = &sig.params;
    let algorithm = params.algorithm()?;
    let key_id = params
        .keyid()?
        .ok_or_else(|| Error::new(ErrorCode::SignatureMalformed, "the signature has no keyid"))?;
    let created = params.created_at()?.ok_or_else(|| {
        Error::new(
            ErrorCode::SignatureMalformed,
            "the signature has no created parameter",
        )
    })?;
    let expires = params.expires_at()?.map(freshness::from_unix).transpose()?;
    freshness::check(freshness::from_unix(created)?, expires, now)?;

    if !params.covers("@method") {
        return Err(weak("@method"));
    }
    let path_and_query =
        params.covers("@path") && (params.covers("@query") || parts.query().is_none());
    let target = params.covers("@target-uri")
        || (params.covers("@authority") && (params.covers("@request-target") || path_and_query));
    if !target {
        return Err(weak(
            "the target: @target-uri, or @authority with @path and @query",
        ));
    }
    check_body(
        request,
        params.covers("content-digest"),
        "content-digest",
        digest::check_content_digest,
    )?;

    Ok(PendingVerification {
        scheme: Scheme::Rfc9421,
        key_id: key_id.to_string(),
        algorithm,
        base: rfc9421::signature_base(parts, params)?,
        signature: sig.signature.clone(),
    })
}

/// A body must be covered by a digest header that matches it; a covered digest header is
/// checked even when the body is empty.
fn check_body(
    request: &IncomingRequest<'_>,
    covered: bool,
    header: &str,
    check: fn(&str, &[u8]) -> Result<()>,
) -> Result<()> {
    if !covered {
        if request.must_have_digest() {
            return Err(Error::new(
                ErrorCode::DigestMismatch,
                format!("the request has a body but the signature does not cover {header}"),
            ));
        }
        return Ok(());
    }
    let value = request.parts.header(header)?.ok_or_else(|| {
        Error::new(
            ErrorCode::DigestMismatch,
            format!("the signature covers {header} but the request has no such header"),
        )
    })?;
    check(&value, request.body)
}

fn weak(what: &str) -> Error {
    Error::new(
        ErrorCode::SignatureInvalid,
        format!("the signature must cover {what}"),
    )
}
