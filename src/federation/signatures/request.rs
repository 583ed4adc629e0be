//! The parts of an HTTP request that a signature covers, read the same way when signing and
//! when verifying: if the two sides derived a value differently, honest signatures would
//! fail, and that is the whole bug class this module exists to prevent.

use http::{HeaderMap, Method};

use crate::error::{Error, ErrorCode, Result};

/// A request as the signature schemes see it. The body is covered through its digest
/// header, so it is not here.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    pub method: &'a Method,
    /// `https` or `http`: part of RFC 9421's `@target-uri` and `@scheme`. A server behind a
    /// TLS-terminating proxy sees plain HTTP but must verify against `https`.
    pub scheme: &'a str,
    /// The authority (`host[:port]`) to use when the request has no `Host` header, as under
    /// HTTP/2, where it travels in the `:authority` pseudo-header (the server puts it in the URI).
    pub authority: Option<&'a str>,
    /// The path and query, exactly as requested (`/inbox`, `/c/x/outbox?page=2`).
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
}

impl RequestParts<'_> {
    /// A header's canonical value: every instance trimmed and joined with `", "`, as both
    /// draft-cavage (§2.3) and RFC 9421 (§2.1) define it. `None` when absent.
    pub fn header(&self, name: &str) -> Result<Option<String>> {
        let mut values = Vec::new();
        for value in self.headers.get_all(name) {
            let value = value.to_str().map_err(|_| {
                Error::new(
                    ErrorCode::SignatureInvalid,
                    format!("the signed header {name} is not plain text"),
                )
            })?;
            values.push(value.trim());
        }
        Ok((!values.is_empty()).then(|| values.join(", ")))
    }

    /// The `Host` header, or the authority the request arrived with.
    pub fn host(&self) -> Result<Option<String>> {
        Ok(self
            .header("host")?
            .or_else(|| self.authority.map(str::to_string)))
    }

    /// The authority as RFC 9421 `@authority` normalizes it: lowercase, without the scheme's
    /// default port.
    pub fn normalized_authority(&self) -> Result<String> {
        let host = self.host()?.ok_or_else(|| {
            Error::new(
                ErrorCode::SignatureInvalid,
                "the request names no host to check the signature against",
            )
        })?;
        let host = host.to_ascii_lowercase();
        let default_port = match self.scheme {
            "https" => ":443",
            "http" => ":80",
            _ => "",
        };
        Ok(match host.strip_suffix(default_port) {
            Some(bare) if !default_port.is_empty() => bare.to_string(),
            _ => host,
        })
    }

    /// The path without the query; `/` when empty.
    pub fn path(&self) -> &str {
        let path = self
            .path_and_query
            .split_once('?')
            .map_or(self.path_and_query, |(path, _)| path);
        if path.is_empty() { "/" } else { path }
    }

    /// The query without its `?`, if the request has one.
    pub fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, query)| query)
    }

    /// The full target URI: `scheme://authority/path?query`.
    pub fn target_uri(&self) -> Result<String> {
        let query = self.query().map(|q| format!("?{q}")).unwrap_or_default();
        Ok(format!(
            "{}://{}{}{}",
            self.scheme.to_ascii_lowercase(),
            self.normalized_authority()?,
            self.path(),
            query
        ))
    }
}
