//! Blocked instances as the public and a community's moderators see them:
//! `GET /api/v1/instance/blocked-domains` and `/api/v1/communities/{name}/blocked-domains`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Authenticated;
use super::error::ApiJson;
use crate::app::App;
use crate::federation::policy::{Severity, community, manage};
use crate::time::rfc3339;

/// `GET /api/v1/instance/blocked-domains`: the blocked and limited servers with their
/// public comment, as Mastodon shows its moderated servers; an `obfuscate`d domain is shown
/// partly starred, with its SHA-256 digest so that others can check a domain against it.
pub async fn public(State(app): State<App>) -> crate::error::Result<Json<Value>> {
    let (_, rules) = manage::list(&app).await?;
    let items: Vec<Value> = rules
        .iter()
        .filter(|r| r.severity != Severity::None.as_str())
        .map(|r| {
            json!({
                "domain": if r.obfuscate { obfuscated(&r.domain) } else { r.domain.clone() },
                "digest": hex(&openssl::sha::sha256(r.domain.as_bytes())),
                "severity": r.severity,
                "reject_media": r.reject_media,
                "comment": r.public_comment,
            })
        })
        .collect();
    Ok(Json(Value::Array(items)))
}

/// The domain with its middle half replaced by `*` (`spam.example` → `spa******ple`).
fn obfuscated(domain: &str) -> String {
    let chars: Vec<char> = domain.chars().collect();
    let n = chars.len();
    let (from, to) = (n / 4, n - n / 4);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i >= from && i < to && *c != '.' {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /api/v1/communities/{name}/blocked-domains` (moderators).
pub async fn list(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> crate::error::Result<Json<Value>> {
    let rows = community::list(&app, &auth.user, &name).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({ "domain": r.domain, "created_at": rfc3339(r.created_at) }))
        .collect();
    Ok(Json(Value::Array(items)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockBody {
    domain: String,
}

/// `POST /api/v1/communities/{name}/blocked-domains` `{"domain": "…"}` (moderators).
pub async fn block(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<BlockBody>,
) -> crate::error::Result<(StatusCode, Json<Value>)> {
    let dropped = community::block(&app, &auth.user, &name, &body.domain).await?;
    let domain = crate::federation::policy::domain::normalize(&body.domain)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "domain": domain, "follows_dropped": dropped })),
    ))
}

/// `DELETE /api/v1/communities/{name}/blocked-domains/{domain}` (moderators).
pub async fn unblock(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, domain)): Path<(String, String)>,
) -> crate::error::Result<StatusCode> {
    community::unblock(&app, &auth.user, &name, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn obfuscation_stars_the_middle() {
        assert_eq!(super::obfuscated("spam.example"), "spa*.****ple");
    }
}
