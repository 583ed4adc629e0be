//! The questions each door asks of the policy, and the one refusal they all give.
//!
//! - the inbox refuses an actor of a blocked domain before it looks at the signature, the
//!   activity id or anything it would have to fetch ([`inbox`]);
//! - the fetcher refuses to request a URL on a blocked domain ([`check_url`]);
//! - the delivery queue leaves out inboxes on blocked domains when an activity is queued
//!   ([`blocked_among`]), and the worker drops rows queued before a block;
//! - authorized fetch answers 401 to a GET signed by a blocked domain's key;
//! - a local community refuses what comes from its own blocked domains ([`community`]).

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use super::domain::candidates;
use super::{FederationMode, FederationPolicy, mode};
use crate::app::App;
use crate::db::{DbConnection, communities, domain_policies};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::envelope::{Envelope, authority, id_of};
use crate::federation::publish::Venue;

/// The refusal every door gives a blocked domain.
pub fn blocked(authority: &str) -> Error {
    Error::new(
        ErrorCode::DomainBlocked,
        format!("this server does not federate with {authority}"),
    )
}

/// Refuses a URL on a blocked domain, before any request is made to it.
pub fn check_url(policy: &FederationPolicy, url: &Url) -> Result<()> {
    let domain = authority(url);
    if policy.is_blocked(&domain) {
        return Err(blocked(&domain));
    }
    Ok(())
}

/// The first check of an incoming activity once its envelope is read: its actor's domain
/// must not be blocked by the instance, nor by a local community the activity is addressed
/// to (through that community's inbox, `path`, or by naming it in `to`, `cc`, `audience`
/// or `object`). Costs no database round trip unless some community blocks that domain.
pub async fn inbox(app: &App, env: &Envelope, path: &str) -> Result<()> {
    let domain = authority(&env.actor);
    let policy = app.policy.current().await;
    if policy.is_blocked(&domain) {
        return Err(blocked(&domain));
    }
    let blocking = policy.communities_blocking(&domain);
    if blocking.is_empty() {
        return Ok(());
    }
    let names = addressed_community_names(app, env, path);
    if names.is_empty() {
        return Ok(());
    }
    let ids = app
        .db
        .run(move |c| {
            let mut ids = Vec::new();
            for name in &names {
                if let Some(row) = communities::find_by_name(c, name)? {
                    ids.push(row.id);
                }
            }
            Ok(ids)
        })
        .await?;
    if ids.iter().any(|id| blocking.contains(id)) {
        return Err(community_blocked(&domain));
    }
    Ok(())
}

/// The refusal of a domain by a community's moderators.
pub fn community_blocked(authority: &str) -> Error {
    Error::new(
        ErrorCode::DomainBlocked,
        format!("this community does not accept anything from {authority}"),
    )
}

/// Refuses `authority` in the local community `community_id` if its moderators block it.
pub async fn community(app: &App, community_id: i64, authority: &str) -> Result<()> {
    if app
        .policy
        .current()
        .await
        .community_blocks(community_id, authority)
    {
        return Err(community_blocked(authority));
    }
    Ok(())
}

/// Refuses `authority` in `venue` when that is a local community blocking it.
pub async fn venue(app: &App, venue: &Venue, authority: &str) -> Result<()> {
    match venue {
        Venue::Local { id, .. } => community(app, *id, authority).await,
        Venue::Remote(_) => Ok(()),
    }
}

/// Names of the local communities an activity is addressed to.
fn addressed_community_names(app: &App, env: &Envelope, path: &str) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(name) = path
        .strip_prefix("/c/")
        .and_then(|rest| rest.split('/').next())
    {
        names.push(name.to_string());
    }
    let prefix = format!("{}/c/", app.config.public_url());
    let mut ids: Vec<String> = Vec::new();
    for field in ["to", "cc", "audience", "object", "target"] {
        collect_ids(env.json.get(field), &mut ids);
        if let Some(object) = env.object().filter(|o| o.is_object()) {
            collect_ids(object.get(field), &mut ids);
        }
    }
    for id in ids {
        if let Some(name) = id.strip_prefix(&prefix) {
            let name = name.split(['/', '?', '#']).next().unwrap_or_default();
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn collect_ids(value: Option<&Value>, out: &mut Vec<String>) {
    match value {
        Some(Value::Array(items)) => {
            for item in items.iter().take(64) {
                collect_ids(Some(item), out);
            }
        }
        Some(v) => {
            if let Some(id) = id_of(Some(v)).and_then(Value::as_str) {
                out.push(id.to_string());
            }
        }
        None => {}
    }
}

/// Of these inbox authorities, the ones the stored policy blocks, read in the caller's
/// transaction: the delivery queue is filled from code that holds a connection, not the
/// `App`, and the database is the truth the cache follows anyway.
pub fn blocked_among(conn: &mut DbConnection, authorities: &[String]) -> Result<HashSet<String>> {
    let mode = mode(conn)?;
    let mut wanted: Vec<String> = authorities.iter().flat_map(|a| candidates(a)).collect();
    wanted.sort();
    wanted.dedup();
    let mut rows = Vec::new();
    for chunk in wanted.chunks(1_000) {
        rows.extend(domain_policies::among(conn, chunk)?);
    }
    if rows.is_empty() && mode == FederationMode::Blocklist {
        return Ok(HashSet::new());
    }
    // Judged by the same rules as the cache; the own domain never appears among inboxes.
    let policy = FederationPolicy::new("", mode, &rows, Vec::new());
    Ok(authorities
        .iter()
        .filter(|a| policy.is_blocked(a))
        .cloned()
        .collect())
}
