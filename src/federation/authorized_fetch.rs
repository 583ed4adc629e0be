//! Authorized fetch (`federation.authorized_fetch`): ActivityPub documents are served only
//! to requests signed by another server's actor, so that a server can be kept from reading
//! a community by refusing its key (Mastodon calls this secure mode).
//!
//! Whether or not it is on, a GET signed by a key on a domain the federation policy blocks
//! is answered 401 before the key is fetched: a blocked server reads nothing here, even
//! what is public. (Unsigned GETs cannot be told apart from a browser's and stay open
//! while authorized fetch is off.)
//!
//! The instance actor is always served unsigned: a peer checking copse's own signed fetch
//! must be able to read the key that signed it, and it would otherwise need a signature
//! from copse to do so, which needs the key, and so on.

use chrono::Utc;
use http::{HeaderMap, Method};

use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::envelope::authority;
use crate::federation::remote;
use crate::federation::signatures::{self, IncomingRequest};

/// Checks the signature of a GET and returns the remote actor that signed it.
pub async fn verify_get(
    app: &App,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
) -> Result<CachedActor> {
    let mut request = IncomingRequest::new(method, path_and_query, headers, &[]);
    if app.config.dev {
        request = request.with_scheme("http");
    }
    let pending = signatures::parse(&request, Utc::now())?;
    refuse_blocked_key(app, pending.key_id()).await?;
    let actor = remote::actor_for_key(app, pending.key_id())
        .await
        .map_err(|e| {
            Error::new(
                ErrorCode::SignerUnknown,
                format!(
                    "the key {} could not be fetched: {}",
                    pending.key_id(),
                    e.message()
                ),
            )
        })?;
    pending.verify(&actor.public_key_pem)?;
    Ok(actor)
}

/// 401 when the request's signature names a key on a blocked domain; `Ok` when it is
/// unsigned or signed by anyone else. Reads the key id from the headers only: no parsing of
/// the rest, no fetch.
pub async fn refuse_signers_blocked(app: &App, headers: &HeaderMap) -> Result<()> {
    for name in ["signature", "signature-input"] {
        for value in headers.get_all(name) {
            if let Some(key_id) = value.to_str().ok().and_then(key_id_in) {
                refuse_blocked_key(app, key_id).await?;
            }
        }
    }
    Ok(())
}

async fn refuse_blocked_key(app: &App, key_id: &str) -> Result<()> {
    let domain = url::Url::parse(key_id)
        .map(|u| authority(&u))
        .unwrap_or_default();
    if domain.is_empty() || app.policy.current().await.is_blocked(&domain) {
        return Err(Error::new(
            ErrorCode::Unauthenticated,
            "requests signed by this key are not served",
        ));
    }
    Ok(())
}

/// The value of the first `keyId="…"` (draft-cavage) or `keyid="…"` (RFC 9421) parameter.
fn key_id_in(value: &str) -> Option<&str> {
    let lower = value.to_ascii_lowercase();
    let start = lower.find("keyid=\"")? + "keyid=\"".len();
    let rest = value.get(start..)?;
    let end = rest.find('"')?;
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::key_id_in;

    #[test]
    fn key_ids_are_found_in_both_schemes() {
        assert_eq!(
            key_id_in(r#"keyId="https://a.example/u/x#main-key",algorithm="rsa-sha256""#),
            Some("https://a.example/u/x#main-key")
        );
        assert_eq!(
            key_id_in(r#"sig1=("@method");keyid="https://b.example/actor#k";created=1"#),
            Some("https://b.example/actor#k")
        );
        assert_eq!(key_id_in("garbage"), None);
    }
}
