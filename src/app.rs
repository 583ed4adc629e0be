//! The state one running copse server shares across requests, and how it is opened.

use std::sync::Arc;
use std::time::Instant;

use crate::config::Config;
use crate::db::Database;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Outbox, Recorder};
use crate::federation::fetch::Fetcher;
use crate::federation::policy::PolicyCache;
use crate::metrics::Metrics;
use crate::ratelimit::Limiter;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub db: Database,
    pub metrics: Arc<Metrics>,
    pub started: Instant,
    /// The one HTTP client for fetching from and delivering to other servers.
    pub fetcher: Fetcher,
    /// Wakes the delivery worker when something was queued.
    pub deliveries_queued: Arc<tokio::sync::Notify>,
    /// Request budgets per client, account and remote actor.
    pub limiter: Arc<Limiter>,
    /// The instance's federation policy (blocked, limited, allowed domains), in memory.
    pub policy: Arc<PolicyCache>,
    /// Where the domain's events go: federation's outbox.
    pub outbox: Arc<dyn Outbox>,
    /// What this server is learning of other servers' software.
    pub peer_learning: Arc<crate::federation::peers::learn::Learning>,
    /// The instance's settings in force (name, rules, registration…), as admins keep them.
    pub settings: Arc<crate::instance::Current>,
    /// Turns true when the server begins to stop: background work (a blocklist import)
    /// ends between two steps, to be resumed at the next start.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl App {
    /// Prepares the data directory, connects to the database and brings its schema up to
    /// date. Each failure names what is wrong, so `copse serve` can print one clear line.
    pub async fn open(config: Config) -> Result<App> {
        prepare_data_dir(&config)?;
        let db = Database::connect(&config.database_url, config.database_pool_size).await?;
        let report = db.migrate().await?;
        for version in &report.applied {
            tracing::info!(version, "applied database migration");
        }
        let db = db.with_transaction_bound(config.http_request_timeout);
        let metrics = Arc::new(Metrics::default());
        let policy = Arc::new(PolicyCache::open(db.clone(), &config.domain).await?);
        let settings = {
            let config = config.clone();
            db.run(move |c| crate::instance::Settings::load(c, &config))
                .await?
        };
        let deliveries_queued = Arc::new(tokio::sync::Notify::new());
        let outbox = Arc::new(crate::federation::send::FederationOutbox::new(
            crate::federation::urls::Urls::new(&config),
            deliveries_queued.clone(),
        ));
        Ok(App {
            outbox,
            settings: Arc::new(crate::instance::Current::new(settings)),
            peer_learning: Arc::default(),
            fetcher: Fetcher::from_config(&config)?.with_domain_policy(policy.clone()),
            limiter: Arc::new(Limiter::new(config.rate_limits, metrics.clone())),
            policy,
            config: Arc::new(config),
            db,
            metrics,
            started: Instant::now(),
            deliveries_queued,
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        })
    }

    /// Runs `f` in one write transaction with a [`Recorder`] for the events of the change;
    /// once it has committed, the outbox hears of it (the delivery worker wakes). Every
    /// change that other servers may need to hear of goes through here.
    pub async fn change<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut crate::db::DbConnection, &mut Recorder) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let outbox = self.outbox.clone();
        let (value, recorded) = self
            .db
            .transaction(move |c| {
                let mut events = Recorder::new(outbox);
                let value = f(c, &mut events)?;
                Ok((value, events.recorded()))
            })
            .await?;
        if recorded {
            self.outbox.committed();
        }
        Ok(value)
    }
}

/// Creates the data directory if needed and proves it is writable now, rather than on the
/// first upload days later.
pub fn prepare_data_dir(config: &Config) -> Result<()> {
    let dir = &config.data_dir;
    let unusable = |why: String| {
        Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "data_dir {}: {why} (set COPSE_DATA_DIR or data_dir in copse.toml)",
                dir.display()
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| unusable(format!("cannot create it: {e}")))?;
    let probe = dir.join(".copse-write-check");
    std::fs::write(&probe, b"ok").map_err(|e| unusable(format!("is not writable: {e}")))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
