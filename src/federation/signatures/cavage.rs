//! draft-cavage HTTP signatures, the scheme the fediverse actually speaks: Mastodon, Lemmy,
//! Pleroma, GoToSocial and activitypub_federation all sign with it.
//!
//! ```text
//! Signature: keyId="https://a.example/u/ana#main-key",algorithm="rsa-sha256",
//!            headers="(request-target) host date digest",signature="<base64>"
//! ```
//!
//! The signature is over a *signing string*: one `name: value` line per listed header, where
//! `(request-target)` is the lowercased method and the path with its query. The draft went
//! through twelve versions and peers follow different ones, so parsing is tolerant where it
//! costs nothing: `hs2019` and `rsa-sha256` both mean RSA with SHA-256 for the RSA keys
//! actors publish (what Mastodon does), a missing `headers` means `date` (draft 10 and
//! Mastodon with `rsa-sha256`), and `(created)`/`(expires)` are understood (draft 11+, sent by
//! activitypub_federation outside its Mastodon-compatibility mode).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::keys::{Algorithm, SigningKey};
use super::request::RequestParts;
use crate::error::{Error, ErrorCode, Result};

/// The pseudo-header for the method and path: `post /inbox`.
pub const REQUEST_TARGET: &str = "(request-target)";
/// The pseudo-header for the `created` parameter (draft 11+).
pub const CREATED: &str = "(created)";
/// The pseudo-header for the `expires` parameter (draft 11+).
pub const EXPIRES: &str = "(expires)";

/// A `Signature` header, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CavageSignature {
    pub key_id: String,
    /// The algorithm as written (`rsa-sha256`, `hs2019`), if the sender wrote one.
    pub algorithm: Option<String>,
    /// The covered headers, lowercased, in signing order.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

impl CavageSignature {
    /// Parses a `Signature` header value (or an `Authorization: Signature …` value without
    /// its `Signature ` prefix).
    pub fn parse(value: &str) -> Result<Self> {
        let mut key_id = None;
        let mut algorithm = None;
        let mut headers = None;
        let mut signature = None;
        let mut created = None;
        let mut expires = None;
        for (name, value) in parameters(value)? {
            let slot = match name.to_ascii_lowercase().as_str() {
                "keyid" => &mut key_id,
                "algorithm" => &mut algorithm,
                "headers" => &mut headers,
                "signature" => &mut signature,
                "created" => &mut created,
                "expires" => &mut expires,
                _ => continue, // unknown parameters are ignored, as the draft asks
            };
            if slot.replace(value).is_some() {
                return Err(malformed(format!("the parameter {name} appears twice")));
            }
        }
        let key_id = key_id.ok_or_else(|| malformed("the signature has no keyId"))?;
        let signature = signature.ok_or_else(|| malformed("the signature has no signature"))?;
        let signature = super::structured::LENIENT_BASE64
            .decode(signature.trim())
            .map_err(|_| malformed("the signature is not base64"))?;
        let headers: Vec<String> = match headers {
            Some(list) => list
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect(),
            None => vec!["date".to_string()],
        };
        if headers.is_empty() {
            return Err(malformed("the signature covers no headers"));
        }
        Ok(CavageSignature {
            key_id,
            algorithm,
            headers,
            signature,
            created: created.as_deref().map(timestamp).transpose()?,
            expires: expires.as_deref().map(timestamp).transpose()?,
        })
    }

    /// The algorithm to verify with. Only RSA with SHA-256 is in use in the fediverse.
    pub fn verification_algorithm(&self) -> Result<Algorithm> {
        let name = self.algorithm.as_deref().unwrap_or("hs2019");
        if !matches!(name.to_ascii_lowercase().as_str(), "hs2019" | "rsa-sha256") {
            return Err(malformed(format!(
                "the algorithm {name:?} is not supported (only rsa-sha256 and hs2019)"
            )));
        }
        // Draft 12 §2.3: the time pseudo-headers go only with hs2019, whose parameters are
        // the only place a verifier learns which of the older algorithms' semantics apply.
        if name.eq_ignore_ascii_case("rsa-sha256") && (self.covers(CREATED) || self.covers(EXPIRES))
        {
            return Err(malformed(
                "(created) and (expires) may not be signed with algorithm rsa-sha256",
            ));
        }
        Ok(Algorithm::RsaSha256)
    }

    /// Whether the signature covers a header or pseudo-header (lowercase name).
    pub fn covers(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// The header value: `keyId="…",algorithm="…",headers="…",signature="…"`.
    pub fn to_header_value(&self) -> String {
        let mut out = format!("keyId=\"{}\"", self.key_id);
        if let Some(algorithm) = &self.algorithm {
            out.push_str(&format!(",algorithm=\"{algorithm}\""));
        }
        if let Some(created) = self.created {
            out.push_str(&format!(",created={created}"));
        }
        if let Some(expires) = self.expires {
            out.push_str(&format!(",expires={expires}"));
        }
        out.push_str(&format!(
            ",headers=\"{}\",signature=\"{}\"",
            self.headers.join(" "),
            STANDARD.encode(&self.signature)
        ));
        out
    }
}

/// The signing string for `headers` (lowercase names, in order), draft-cavage §2.3.
pub fn signing_string(
    request: &RequestParts<'_>,
    headers: &[String],
    created: Option<i64>,
    expires: Option<i64>,
) -> Result<String> {
    let mut lines = Vec::with_capacity(headers.len());
    for name in headers {
        let value = match name.as_str() {
            REQUEST_TARGET => format!(
                "{} {}",
                request.method.as_str().to_ascii_lowercase(),
                request.path_and_query
            ),
            CREATED => created
                .ok_or_else(|| malformed("(created) is signed but there is no created parameter"))?
                .to_string(),
            EXPIRES => expires
                .ok_or_else(|| malformed("(expires) is signed but there is no expires parameter"))?
                .to_string(),
            "host" => request.host()?.ok_or_else(|| lacks("host"))?,
            _ => request.header(name)?.ok_or_else(|| lacks(name))?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

/// Signs `headers` of the request with RSA-SHA256 and returns the signature, ready for
/// [`CavageSignature::to_header_value`]. `algorithm` is only the name written into the
/// header: `rsa-sha256` (what Mastodon sends) or `hs2019` (what Lemmy sends).
pub fn sign(
    request: &RequestParts<'_>,
    key_id: &str,
    algorithm: &str,
    headers: &[&str],
    key: &SigningKey,
) -> Result<CavageSignature> {
    let headers: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    let string = signing_string(request, &headers, None, None)?;
    Ok(CavageSignature {
        key_id: key_id.to_string(),
        algorithm: Some(algorithm.to_string()),
        headers,
        signature: key.sign_rsa_sha256(string.as_bytes())?,
        created: None,
        expires: None,
    })
}

/// Splits `name="value",name=value,…` into pairs. Values are quoted strings (no escapes are
/// defined by the draft, and keyIds are URLs without quotes) or bare numbers.
fn parameters(input: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| malformed("the Signature header is not a list of name=value"))?;
        let name = name.trim();
        if name.is_empty() || name.contains([',', '"', ' ']) {
            return Err(malformed(
                "the Signature header is not a list of name=value",
            ));
        }
        let after = after.trim_start();
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or_else(|| malformed("the Signature header has an unclosed quote"))?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        out.push((name.to_string(), value.to_string()));
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if after.is_empty() => after,
            None => return Err(malformed("expected a comma in the Signature header")),
        };
    }
    Ok(out)
}

fn timestamp(value: &str) -> Result<i64> {
    value
        .trim()
        .parse()
        .map_err(|_| malformed(format!("{value:?} is not a Unix timestamp")))
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::SignatureMalformed, message)
}

fn lacks(name: &str) -> Error {
    Error::new(
        ErrorCode::SignatureInvalid,
        format!("the signature covers the {name} header, which the request lacks"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_lemmy_and_mastodon_send_and_writes_it_back() {
        let lemmy = r#"keyId="http://lemmy-alpha:8541/c/main#main-key",algorithm="hs2019",headers="(request-target) content-type date digest host",signature="AAEC""#;
        let parsed = CavageSignature::parse(lemmy).expect("parses");
        assert_eq!(parsed.key_id, "http://lemmy-alpha:8541/c/main#main-key");
        assert_eq!(parsed.headers[0], REQUEST_TARGET);
        assert_eq!(parsed.signature, vec![0, 1, 2]);
        assert_eq!(
            parsed.verification_algorithm().expect("hs2019"),
            Algorithm::RsaSha256
        );
        assert_eq!(parsed.to_header_value(), lemmy);
    }

    #[test]
    fn tolerates_spaces_bare_numbers_and_a_missing_header_list() {
        let parsed = CavageSignature::parse(
            r#" keyId="Test", algorithm="hs2019", created=1402170695, expires="1402170699", signature="AA==" "#,
        )
        .expect("parses");
        assert_eq!(parsed.headers, vec!["date".to_string()]);
        assert_eq!(parsed.created, Some(1_402_170_695));
        assert_eq!(parsed.expires, Some(1_402_170_699));
    }

    #[test]
    fn refuses_what_cannot_be_checked() {
        for (value, why) in [
            (r#"algorithm="rsa-sha256",signature="AA==""#, "no keyId"),
            (r#"keyId="k",headers="date""#, "no signature"),
            (r#"keyId="k",keyId="j",signature="AA==""#, "twice"),
            (r#"keyId="k,signature=AA=="#, "unclosed quote"),
            (r#"keyId="k",signature="!!""#, "not base64"),
            (
                r#"keyId="k",created=soon,signature="AA==""#,
                "not a Unix timestamp",
            ),
        ] {
            let err = CavageSignature::parse(value).expect_err(why);
            assert_eq!(err.code(), ErrorCode::SignatureMalformed, "{value}");
            assert!(err.message().contains(why), "{} lacks {why}", err.message());
        }
        let ecdsa =
            CavageSignature::parse(r#"keyId="k",algorithm="ecdsa-sha256",signature="AA==""#)
                .expect("parses");
        assert!(ecdsa.verification_algorithm().is_err());
        let created_with_rsa = CavageSignature::parse(
            r#"keyId="k",algorithm="rsa-sha256",created=1,headers="(created)",signature="AA==""#,
        )
        .expect("parses");
        assert!(created_with_rsa.verification_algorithm().is_err());
    }
}
