//! Learning what a server runs from its NodeInfo, once, in the background, when it is first
//! heard from (and again after [`RECHECK_AFTER`]: servers upgrade).
//!
//! Nothing waits for it: until a server's software is known it is sent every shape, and a
//! server without NodeInfo (or one that does not answer) is recorded as unknown so it is
//! not asked again at every activity it sends.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use http::HeaderMap;
use serde::Deserialize;
use url::Url;

use crate::app::App;
use crate::db::peer_software;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::discovery::Jrd;

/// How long what a server runs is believed.
pub const RECHECK_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// What a running server remembers of its asking, with its database: kept per server
/// (not per process), so two servers in one process (tests) never take each other's
/// knowledge for their own.
#[derive(Debug, Default)]
pub struct Learning {
    /// Servers being asked right now, so a burst of activities asks once.
    asking: Mutex<HashSet<String>>,
    /// When this server last made sure of each server's software: every activity a server
    /// sends passes here, and must not cost a database read or a task.
    settled: Mutex<HashMap<String, Instant>>,
}

/// Learns what `domain` runs, in the background, unless it is known and recent.
pub fn soon(app: &App, domain: &str) {
    let recheck = RECHECK_AFTER.to_std().unwrap_or_default();
    if let Ok(settled) = app.peer_learning.settled.lock()
        && settled.get(domain).is_some_and(|at| at.elapsed() < recheck)
    {
        return;
    }
    {
        let Ok(mut asking) = app.peer_learning.asking.lock() else {
            return;
        };
        if !asking.insert(domain.to_string()) {
            return;
        }
    }
    let app = app.clone();
    let domain = domain.to_string();
    tokio::spawn(async move {
        match learn_if_stale(&app, &domain).await {
            Ok(()) => {
                if let Ok(mut settled) = app.peer_learning.settled.lock() {
                    settled.insert(domain.clone(), Instant::now());
                }
            }
            Err(e) => tracing::debug!(domain, error = %e, "what the server runs is not known"),
        }
        if let Ok(mut asking) = app.peer_learning.asking.lock() {
            asking.remove(&domain);
        }
    });
}

async fn learn_if_stale(app: &App, domain: &str) -> Result<()> {
    let key = domain.to_string();
    let known = app
        .db
        .run(move |c| Ok(peer_software::find(c, &key)?))
        .await?;
    if known.is_some_and(|k| crate::time::now() - k.checked_at < RECHECK_AFTER) {
        return Ok(());
    }
    let (name, version) = match software(app, domain).await {
        Ok(found) => found,
        // Recorded as unknown, so it is not asked at every activity.
        Err(e) if e.code() != ErrorCode::Internal => (String::new(), String::new()),
        Err(e) => return Err(e),
    };
    let domain = domain.to_string();
    app.db
        .run(move |c| {
            peer_software::put(c, &domain, &name, &version, crate::time::now())?;
            Ok(())
        })
        .await
}

#[derive(Deserialize)]
struct NodeInfo {
    software: Software,
}

#[derive(Deserialize)]
struct Software {
    name: String,
    #[serde(default)]
    version: String,
}

/// `software.name` (lowercased) and `software.version` from the server's NodeInfo 2.x.
async fn software(app: &App, domain: &str) -> Result<(String, String)> {
    let index = Url::parse(&format!(
        "{}://{domain}/.well-known/nodeinfo",
        app.config.scheme()
    ))
    .map_err(|_| invalid("the domain is not a host"))?;
    let jrd = app
        .fetcher
        .get_json(&index, "application/json", HeaderMap::new())
        .await?;
    let jrd =
        Jrd::deserialize(&jrd.json).map_err(|_| invalid("the NodeInfo index does not read"))?;
    // The newest 2.x schema offered.
    let href = jrd
        .links
        .iter()
        .filter(|l| {
            l.rel
                .starts_with("http://nodeinfo.diaspora.software/ns/schema/2.")
        })
        .max_by(|a, b| a.rel.cmp(&b.rel))
        .and_then(|l| l.href.as_deref())
        .ok_or_else(|| invalid("no NodeInfo 2.x is offered"))?;
    let url = Url::parse(href).map_err(|_| invalid("the NodeInfo link is not a URL"))?;
    // The document must be the server's own: another host could claim any software.
    if crate::federation::protocol::envelope::authority(&url) != domain {
        return Err(invalid("the NodeInfo is on another host"));
    }
    let doc = app
        .fetcher
        .get_json(&url, "application/json", HeaderMap::new())
        .await?;
    let info =
        NodeInfo::deserialize(&doc.json).map_err(|_| invalid("the NodeInfo does not read"))?;
    let name: String = info
        .software
        .name
        .trim()
        .to_ascii_lowercase()
        .chars()
        .take(64)
        .collect();
    let version: String = info.software.version.trim().chars().take(64).collect();
    Ok((name, version))
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::RemoteActorInvalid, message)
}
