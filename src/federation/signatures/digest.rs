//! Body digests, which is how a signature covers a body: the signature covers a header and
//! the header holds a hash of the body.
//!
//! Two headers exist. `Digest: SHA-256=<base64>` (RFC 3230) is what draft-cavage senders use
//! (Mastodon, Lemmy, …). `Content-Digest: sha-256=:<base64>:` (RFC 9530, a structured
//! dictionary) goes with RFC 9421. copse writes SHA-256 and accepts SHA-256 or SHA-512; every
//! supported hash a sender lists must match, and at least one must be listed, so a sender
//! cannot slip a body past us by naming only an algorithm we skip.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256, Sha512};

use super::structured::{self, BareItem, Member};
use crate::error::{Error, ErrorCode, Result};

/// The `Digest` header value for a body: `SHA-256=<base64>`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// The `Content-Digest` header value for a body: `sha-256=:<base64>:`.
pub fn content_digest_header(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// Checks a `Digest` header value against the body.
pub fn check_digest(value: &str, body: &[u8]) -> Result<()> {
    let mut checked = false;
    for part in value.split(',') {
        let Some((algorithm, encoded)) = part.trim().split_once('=') else {
            return Err(mismatch("the Digest header is malformed"));
        };
        let Some(expected) = hash(&algorithm.to_ascii_lowercase(), body) else {
            continue;
        };
        let given = STANDARD
            .decode(encoded.trim())
            .map_err(|_| mismatch("the Digest header is not base64"))?;
        if given != expected {
            return Err(mismatch("the body does not match its Digest header"));
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(mismatch(
            "the Digest header names neither SHA-256 nor SHA-512",
        ))
    }
}

/// Checks a `Content-Digest` header value against the body.
pub fn check_content_digest(value: &str, body: &[u8]) -> Result<()> {
    let dict = structured::parse_dictionary(value)
        .map_err(|e| mismatch("the Content-Digest header is malformed").with_cause(e))?;
    let mut checked = false;
    for (algorithm, member) in &dict {
        let Some(expected) = hash(algorithm, body) else {
            continue;
        };
        let Member::Item(item) = member else {
            return Err(mismatch("the Content-Digest header is malformed"));
        };
        let BareItem::ByteSequence(given) = &item.value else {
            return Err(mismatch("the Content-Digest header is malformed"));
        };
        if *given != expected {
            return Err(mismatch(
                "the body does not match its Content-Digest header",
            ));
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(mismatch(
            "the Content-Digest header names neither sha-256 nor sha-512",
        ))
    }
}

/// The body's hash under a lowercase algorithm name, if copse supports it.
fn hash(algorithm: &str, body: &[u8]) -> Option<Vec<u8>> {
    match algorithm {
        "sha-256" => Some(Sha256::digest(body).to_vec()),
        "sha-512" => Some(Sha512::digest(body).to_vec()),
        _ => None,
    }
}

fn mismatch(message: &str) -> Error {
    Error::new(ErrorCode::DigestMismatch, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The body and digests of draft-cavage's and RFC 9421's examples.
    const BODY: &[u8] = br#"{"hello": "world"}"#;

    #[test]
    fn the_published_example_digests_are_reproduced() {
        assert_eq!(
            digest_header(BODY),
            "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
        );
        assert_eq!(
            content_digest_header(BODY),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
        );
        check_content_digest(
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            BODY,
        )
        .expect("RFC 9421's sha-512 Content-Digest matches");
    }

    #[test]
    fn a_changed_body_or_an_unknown_algorithm_is_a_mismatch() {
        let header = digest_header(BODY);
        assert!(check_digest(&header, BODY).is_ok());
        assert!(check_digest(&header.replacen("SHA-256", "sha-256", 1), BODY).is_ok());
        let err = check_digest(&header, br#"{"hello": "World"}"#).expect_err("changed body");
        assert_eq!(err.code(), ErrorCode::DigestMismatch);
        let err = check_digest("MD5=Sd/dVLAcvNLSq16eXua5uQ==", BODY).expect_err("md5 only");
        assert_eq!(err.code(), ErrorCode::DigestMismatch);
        let ok_and_bad = format!("{header},SHA-512=AAAA");
        assert!(check_digest(&ok_and_bad, BODY).is_err());
        let err = check_content_digest(&content_digest_header(b"other"), BODY).expect_err("other");
        assert_eq!(err.code(), ErrorCode::DigestMismatch);
    }
}
