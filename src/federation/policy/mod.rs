//! Instance federation policy: which servers copse federates with, and how.
//!
//! Admins keep rules per domain ([`domain`] says how a rule matches): **block** (nothing is
//! accepted from the domain, nothing is sent or fetched there, its follows and memberships
//! are dropped), **limit** (its posts stay out of public listings and its follows wait for
//! approval), **reject media** and **reject reports**; and the [`FederationMode`]: blocklist
//! (everyone not blocked) or allowlist (only the domains listed as allowed). Moderators of a
//! local community keep their own blocked domains for that community.
//!
//! The rules are enforced at every door, and each door asks a [`FederationPolicy`]
//! snapshot held in memory by the [`PolicyCache`] on the `App`, so the inbox can refuse a
//! blocked server before it spends anything (a signature check, a key fetch) on it. A
//! change made through this process reloads the snapshot at once; changes made by another
//! process sharing the database are seen within [`RELOAD_EVERY`].

pub mod blocklist_csv;
pub mod community;
pub mod domain;
pub mod doors;
pub mod imports;
pub mod manage;
mod snapshot;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use snapshot::{DomainRule, FederationMode, FederationPolicy, Severity};

use crate::db::instance_settings::{self, FEDERATION_MODE};
use crate::db::{Database, DbConnection, community_domain_blocks, domain_policies};
use crate::error::Result;

/// How old the snapshot may grow before it is read again (other processes may have
/// changed the rules).
pub const RELOAD_EVERY: Duration = Duration::from_secs(3);

/// Reads the policy in force from the database (inside a transaction if the caller is in
/// one).
pub fn load(conn: &mut DbConnection, own_domain: &str) -> Result<FederationPolicy> {
    let mode = mode(conn)?;
    let rows = domain_policies::all(conn)?;
    let community = community_domain_blocks::all(conn)?;
    Ok(FederationPolicy::new(own_domain, mode, &rows, community))
}

/// The stored federation mode; blocklist when none was ever set.
pub fn mode(conn: &mut DbConnection) -> Result<FederationMode> {
    Ok(instance_settings::get(conn, FEDERATION_MODE)?
        .as_deref()
        .and_then(FederationMode::parse)
        .unwrap_or_default())
}

struct Loaded {
    policy: Arc<FederationPolicy>,
    at: Instant,
    stamp: Stamp,
}

/// What the stored policy looked like when loaded: the mode and the count and latest change
/// of each table. A periodic reload reads only this when nothing changed (a shared blocklist
/// of 100,000 rules takes a third of a second to read in full).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    mode: FederationMode,
    rules: (i64, Option<chrono::NaiveDateTime>),
    community: (i64, Option<chrono::NaiveDateTime>),
}

fn stamp(conn: &mut DbConnection) -> Result<Stamp> {
    Ok(Stamp {
        mode: mode(conn)?,
        rules: domain_policies::fingerprint(conn)?,
        community: community_domain_blocks::fingerprint(conn)?,
    })
}

/// The snapshot of the policy one process uses, reloaded when stale or changed.
pub struct PolicyCache {
    db: Database,
    own_domain: String,
    loaded: RwLock<Loaded>,
    reloading: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyCache")
            .field("own_domain", &self.own_domain)
            .finish_non_exhaustive()
    }
}

impl PolicyCache {
    /// Loads the policy now, so the first request is already judged by it.
    pub async fn open(db: Database, own_domain: &str) -> Result<PolicyCache> {
        let own = own_domain.to_string();
        let (policy, stamp) = db.run(move |c| Ok((load(c, &own)?, stamp(c)?))).await?;
        Ok(PolicyCache {
            db,
            own_domain: own_domain.to_string(),
            loaded: RwLock::new(Loaded {
                policy: Arc::new(policy),
                at: Instant::now(),
                stamp,
            }),
            reloading: tokio::sync::Mutex::new(()),
        })
    }

    /// The snapshot as last loaded, however old (for code that cannot wait).
    pub fn snapshot(&self) -> Arc<FederationPolicy> {
        match self.loaded.read() {
            Ok(l) => l.policy.clone(),
            Err(poisoned) => poisoned.into_inner().policy.clone(),
        }
    }

    fn age(&self) -> Duration {
        match self.loaded.read() {
            Ok(l) => l.at.elapsed(),
            Err(poisoned) => poisoned.into_inner().at.elapsed(),
        }
    }

    /// The policy in force: the snapshot, read again first if it is older than
    /// [`RELOAD_EVERY`]. If the database cannot be read, the last snapshot stays in force.
    pub async fn current(&self) -> Arc<FederationPolicy> {
        if self.age() < RELOAD_EVERY {
            return self.snapshot();
        }
        let _one_at_a_time = self.reloading.lock().await;
        if self.age() >= RELOAD_EVERY
            && let Err(e) = self.reload_now(false).await
        {
            tracing::warn!(error = %e, "cannot reload the federation policy; the last one stays in force");
        }
        self.snapshot()
    }

    /// Reads the policy again at once (after a change).
    pub async fn reload(&self) -> Result<()> {
        let _one_at_a_time = self.reloading.lock().await;
        self.reload_now(true).await
    }

    /// Reads the policy again; unless `force`d, only when its stamp changed.
    async fn reload_now(&self, force: bool) -> Result<()> {
        let own = self.own_domain.clone();
        let known = match self.loaded.read() {
            Ok(l) => l.stamp.clone(),
            Err(poisoned) => poisoned.into_inner().stamp.clone(),
        };
        let read = self
            .db
            .run(move |c| {
                let now = stamp(c)?;
                if !force && now == known {
                    return Ok((None, now));
                }
                Ok((Some(load(c, &own)?), now))
            })
            .await?;
        let (policy, stamp) = read;
        let policy = policy.map(Arc::new).unwrap_or_else(|| self.snapshot());
        let fresh = Loaded {
            policy,
            at: Instant::now(),
            stamp,
        };
        match self.loaded.write() {
            Ok(mut l) => *l = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}

/// The domains of cached remote actors that `policy` limits: whose posts listings leave
/// out. Costs a query only when some rule limits a domain.
pub fn limited_actor_domains(
    conn: &mut DbConnection,
    policy: &FederationPolicy,
) -> Result<Vec<String>> {
    if !policy.limits_any() {
        return Ok(Vec::new());
    }
    Ok(crate::db::domain_effects::actor_domains(conn)?
        .into_iter()
        .filter(|d| policy.is_limited(d))
        .collect())
}
