//! Typed configuration: a TOML file overridden by `COPSE_*` environment variables.
//!
//! Every key is declared once in [`keys::KEYS`] with its environment variable, default and
//! description; `docs/configuration.md` is checked against that table by a test. A bad value
//! is refused at start with a message naming the key as the operator wrote it (the file key
//! or the environment variable), so a typo never silently falls back to a default.

mod keys;
mod source;
mod values;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, ErrorCode, Result};

pub use keys::{KEYS, KeyDef};
pub use values::{DatabaseUrl, RegistrationMode, is_loopback_domain};

use source::RawConfig;

/// The name of the file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "copse.toml";

/// The whole configuration of a copse process, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Public host[:port] used in every ActivityPub id.
    pub domain: String,
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Directory for the SQLite database and other local state.
    pub data_dir: PathBuf,
    /// Where the database lives.
    pub database_url: DatabaseUrl,
    /// Connections kept in the pool.
    pub database_pool_size: usize,
    /// Development federation (plain http, explicit ports, private addresses).
    pub dev: bool,
    /// Log filter in `tracing` syntax.
    pub log: String,
    /// Who may create an account through the API.
    pub registration_mode: RegistrationMode,
    /// `instance.name`: the name pages show; the domain when unset.
    pub instance_name: Option<String>,
    /// `instance.description`: Markdown for the home page.
    pub instance_description: Option<String>,
    /// `instance.contact`: an email address or URL for the admins.
    pub instance_contact: Option<String>,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Largest accepted request body.
    pub http_max_body_bytes: usize,
    /// Longest time a request may take.
    pub http_request_timeout: Duration,
    /// How long a stopping server waits for in-flight requests.
    pub http_shutdown_grace: Duration,
    /// `http.trusted_proxies`: proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<crate::ratelimit::client::Network>,
    /// Every GET of ActivityPub JSON must be signed by another server.
    pub authorized_fetch: bool,
    /// Deliveries in flight at once in this process.
    pub delivery_concurrency: usize,
    /// Deliveries in flight at once to one server, across processes.
    pub delivery_per_instance: usize,
    /// A followed remote community's outbox is imported again this long after the follow
    /// is accepted; zero: not again.
    pub backfill_again_after: Duration,
    /// If set, `/metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// `moderation.show_moderator_names`: the public moderation log names moderators.
    pub show_moderator_names: bool,
    /// `rate_limit.*`.
    pub rate_limits: RateLimits,
}

/// Request budgets per client; see the `rate_limit.*` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub enabled: bool,
    pub api_per_ip_per_minute: u32,
    pub api_per_account_per_minute: u32,
    pub login_per_ip_per_minute: u32,
    pub login_per_account_per_hour: u32,
    pub registration_per_ip_per_hour: u32,
    pub inbox_per_ip_per_minute: u32,
    pub inbox_per_actor_per_minute: u32,
}

impl Config {
    /// Loads the configuration the way `copse` does at start: the file named by `--config`,
    /// else `copse.toml` in the working directory if present, then the process environment.
    pub fn load(explicit_file: Option<&Path>) -> Result<Config> {
        Self::load_with(explicit_file, &|name| std::env::var(name).ok())
    }

    /// As [`Config::load`], with the environment supplied by the caller (for tests).
    pub fn load_with(
        explicit_file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        let file = match explicit_file {
            Some(path) => Some(path.to_path_buf()),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG_FILE);
                default.is_file().then_some(default)
            }
        };
        let raw = RawConfig::read(file.as_deref(), env)?;
        Self::from_raw(&raw)
    }

    /// Built-in defaults overridden by the given environment only (no file).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        Self::from_raw(&RawConfig::read(None, env)?)
    }

    fn from_raw(raw: &RawConfig) -> Result<Config> {
        let data_dir = PathBuf::from(raw.string("data_dir")?);
        if data_dir.as_os_str().is_empty() {
            return Err(raw.invalid("data_dir", "must not be empty"));
        }
        let database_url = match raw.optional_string("database_url")? {
            Some(url) => DatabaseUrl::parse(&url).map_err(|m| raw.invalid("database_url", &m))?,
            None => DatabaseUrl::Sqlite(data_dir.join("copse.db")),
        };
        let pool_size = raw.integer("database.pool_size", 1, 512)?;
        let session_days = raw.integer("auth.session_days", 1, 3650)?;
        let metrics_token = raw
            .optional_string("metrics.bearer_token")?
            .filter(|t| !t.is_empty());
        if let Some(token) = &metrics_token
            && token.len() < 16
        {
            return Err(raw.invalid(
                "metrics.bearer_token",
                "must be at least 16 characters (it guards the metrics endpoint)",
            ));
        }
        let log = raw.string("log")?;
        tracing_subscriber::EnvFilter::try_new(&log)
            .map_err(|e| raw.invalid("log", &format!("is not a valid log filter: {e}")))?;

        Ok(Config {
            domain: values::parse_domain(&raw.string("domain")?)
                .map_err(|m| raw.invalid("domain", &m))?,
            bind: raw.string("bind")?.parse().map_err(|_| {
                raw.invalid(
                    "bind",
                    "must be an address and port, such as 127.0.0.1:8080 or [::]:8080",
                )
            })?,
            data_dir,
            database_url,
            database_pool_size: pool_size as usize,
            dev: raw.boolean("dev")?,
            log,
            registration_mode: raw
                .string("registration.mode")?
                .parse()
                .map_err(|m: String| raw.invalid("registration.mode", &m))?,
            instance_name: non_empty(raw.optional_string("instance.name")?),
            instance_description: non_empty(raw.optional_string("instance.description")?),
            instance_contact: non_empty(raw.optional_string("instance.contact")?),
            session_ttl: Duration::from_secs(session_days * 86_400),
            http_max_body_bytes: raw.integer("http.max_body_bytes", 1024, 1 << 30)? as usize,
            http_request_timeout: Duration::from_secs(raw.integer(
                "http.request_timeout_seconds",
                1,
                3600,
            )?),
            http_shutdown_grace: Duration::from_secs(raw.integer(
                "http.shutdown_grace_seconds",
                0,
                3600,
            )?),
            trusted_proxies: crate::ratelimit::client::parse_networks(
                &raw.string("http.trusted_proxies")?,
            )
            .map_err(|m| raw.invalid("http.trusted_proxies", &m))?,
            authorized_fetch: raw.boolean("federation.authorized_fetch")?,
            delivery_concurrency: raw.integer("federation.delivery_concurrency", 1, 1024)? as usize,
            delivery_per_instance: raw.integer("federation.delivery_per_instance", 1, 256)?
                as usize,
            backfill_again_after: Duration::from_secs(raw.integer(
                "federation.backfill_again_seconds",
                0,
                3600,
            )?),
            metrics_token,
            show_moderator_names: raw.boolean("moderation.show_moderator_names")?,
            rate_limits: RateLimits {
                enabled: raw.boolean("rate_limit.enabled")?,
                api_per_ip_per_minute: rate(raw, "rate_limit.api_per_ip_per_minute")?,
                api_per_account_per_minute: rate(raw, "rate_limit.api_per_account_per_minute")?,
                login_per_ip_per_minute: rate(raw, "rate_limit.login_per_ip_per_minute")?,
                login_per_account_per_hour: rate(raw, "rate_limit.login_per_account_per_hour")?,
                registration_per_ip_per_hour: rate(raw, "rate_limit.registration_per_ip_per_hour")?,
                inbox_per_ip_per_minute: rate(raw, "rate_limit.inbox_per_ip_per_minute")?,
                inbox_per_actor_per_minute: rate(raw, "rate_limit.inbox_per_actor_per_minute")?,
            },
        })
    }

    /// The URL scheme of this server's public addresses: `https`, except in development
    /// mode and for a loopback domain (`localhost:8080`, the quick start's). No other
    /// server can reach a loopback domain, and a browser on the same machine opens it over
    /// plain http, so its links must say http to work at all.
    pub fn scheme(&self) -> &'static str {
        if self.dev || values::is_loopback_domain(&self.domain) {
            "http"
        } else {
            "https"
        }
    }

    /// Whether cookies are marked `Secure` (sent over https only): whenever the public
    /// addresses are https.
    pub fn secure_cookies(&self) -> bool {
        self.scheme() == "https"
    }

    /// The server's name as its pages show it.
    pub fn instance_name(&self) -> &str {
        self.instance_name.as_deref().unwrap_or(&self.domain)
    }

    /// The public base URL, e.g. `https://cop.example.org`.
    pub fn public_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.domain)
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn rate(raw: &RawConfig, key: &str) -> Result<u32> {
    Ok(raw.integer(key, 1, 1_000_000)? as u32)
}

pub(crate) fn config_error(message: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}
