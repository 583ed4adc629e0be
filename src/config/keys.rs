//! The table of every configuration key: file key, environment variable, default, meaning.

/// One configuration key.
#[derive(Debug, Clone, Copy)]
pub struct KeyDef {
    /// Dotted key in the TOML file (`http.max_body_bytes` is `max_body_bytes` under `[http]`).
    pub key: &'static str,
    /// The environment variable that overrides it.
    pub env: &'static str,
    /// The default, as written in a file; `None` when there is no default.
    pub default: Option<&'static str>,
    /// What it does, for `docs/configuration.md`.
    pub about: &'static str,
}

/// Every key copse reads. Adding one here makes it valid in the file and the environment.
pub const KEYS: &[KeyDef] = &[
    KeyDef {
        key: "domain",
        env: "COPSE_DOMAIN",
        default: Some("localhost:8080"),
        about: "Public host[:port] of this server, used in every ActivityPub id. Never change it once others federate with you.",
    },
    KeyDef {
        key: "bind",
        env: "COPSE_BIND",
        default: Some("127.0.0.1:8080"),
        about: "Address and port the HTTP server listens on.",
    },
    KeyDef {
        key: "data_dir",
        env: "COPSE_DATA_DIR",
        default: Some("./data"),
        about: "Directory for local state; holds the SQLite database by default. Created if missing; must be writable.",
    },
    KeyDef {
        key: "database_url",
        env: "COPSE_DATABASE_URL",
        default: None,
        about: "`sqlite://PATH` or `postgres://user:pass@host:port/db`. Unset: SQLite at `<data_dir>/copse.db`.",
    },
    KeyDef {
        key: "database.pool_size",
        env: "COPSE_DATABASE_POOL_SIZE",
        default: Some("8"),
        about: "Database connections kept open (1–512).",
    },
    KeyDef {
        key: "dev",
        env: "COPSE_DEV",
        default: Some("false"),
        about: "Development federation: plain http, explicit ports, loopback and private addresses allowed. Never for a public server.",
    },
    KeyDef {
        key: "log",
        env: "COPSE_LOG",
        default: Some("info"),
        about: "Log filter, e.g. `info` or `info,copse=debug`.",
    },
    KeyDef {
        key: "registration.mode",
        env: "COPSE_REGISTRATION_MODE",
        default: Some("closed"),
        about: "`closed` (accounts only from `copse admin create-user`), `approval` (an admin approves each sign-up) or `open`.",
    },
    KeyDef {
        key: "instance.name",
        env: "COPSE_INSTANCE_NAME",
        default: None,
        about: "The server's name in its pages' header and title. Unset: the domain.",
    },
    KeyDef {
        key: "instance.description",
        env: "COPSE_INSTANCE_DESCRIPTION",
        default: None,
        about: "What this server is and who it is for, in Markdown, shown on its home page.",
    },
    KeyDef {
        key: "instance.contact",
        env: "COPSE_INSTANCE_CONTACT",
        default: None,
        about: "How to reach the admins (an email address or a URL), shown where sign-ups are closed.",
    },
    KeyDef {
        key: "auth.session_days",
        env: "COPSE_AUTH_SESSION_DAYS",
        default: Some("30"),
        about: "Days a login session (cookie and bearer token) stays valid (1–3650).",
    },
    KeyDef {
        key: "http.max_body_bytes",
        env: "COPSE_HTTP_MAX_BODY_BYTES",
        default: Some("1048576"),
        about: "Largest request body accepted, in bytes; larger requests get 413.",
    },
    KeyDef {
        key: "http.request_timeout_seconds",
        env: "COPSE_HTTP_REQUEST_TIMEOUT_SECONDS",
        default: Some("30"),
        about: "Longest time a request may take before it is answered 503 `request_timeout`; also the longest a write transaction may run before it is rolled back.",
    },
    KeyDef {
        key: "http.shutdown_grace_seconds",
        env: "COPSE_HTTP_SHUTDOWN_GRACE_SECONDS",
        default: Some("8"),
        about: "On SIGTERM or Ctrl-C, how long in-flight requests may take to finish before the process exits (under the 10 s Docker and most supervisors wait before killing it).",
    },
    KeyDef {
        key: "http.trusted_proxies",
        env: "COPSE_HTTP_TRUSTED_PROXIES",
        default: Some("127.0.0.1,::1"),
        about: "Comma-separated addresses and networks (`10.0.0.0/8`) of reverse proxies whose `X-Forwarded-For` is believed for the client address of rate limits; only its right-most address that is not a trusted proxy counts. Empty: trust none.",
    },
    KeyDef {
        key: "federation.authorized_fetch",
        env: "COPSE_FEDERATION_AUTHORIZED_FETCH",
        default: Some("false"),
        about: "When true, every GET of ActivityPub JSON (actors, collections) must carry a valid HTTP signature from another server, as Mastodon's secure mode does; the instance actor stays readable so peers can check this server's own signatures. Browsers' HTML pages are unaffected.",
    },
    KeyDef {
        key: "federation.delivery_concurrency",
        env: "COPSE_FEDERATION_DELIVERY_CONCURRENCY",
        default: Some("32"),
        about: "Outgoing deliveries (POSTs to other servers' inboxes) in flight at once in this process (1–1024).",
    },
    KeyDef {
        key: "federation.delivery_per_instance",
        env: "COPSE_FEDERATION_DELIVERY_PER_INSTANCE",
        default: Some("4"),
        about: "Deliveries in flight at once to any one server, counted across every copse process sharing the database (1–256). A slow server never holds more than this many.",
    },
    KeyDef {
        key: "federation.backfill_again_seconds",
        env: "COPSE_FEDERATION_BACKFILL_AGAIN_SECONDS",
        default: Some("120"),
        about: "When a follow of a community on another server is accepted, its latest posts are imported at once, and again this many seconds later (0–3600; 0: not again): Lemmy starts sending to a new follower's server only when it next refreshes its list of followers, and what happened in between would be missed.",
    },
    KeyDef {
        key: "metrics.bearer_token",
        env: "COPSE_METRICS_BEARER_TOKEN",
        default: None,
        about: "If set (16+ characters), `/metrics` requires `Authorization: Bearer <token>`. Unset: `/metrics` is open; restrict it at your proxy.",
    },
    KeyDef {
        key: "moderation.show_moderator_names",
        env: "COPSE_MODERATION_SHOW_MODERATOR_NAMES",
        default: Some("false"),
        about: "When true, the public moderation log names the moderator of each action; otherwise only moderators and admins see who acted.",
    },
    KeyDef {
        key: "rate_limit.enabled",
        env: "COPSE_RATE_LIMIT_ENABLED",
        default: Some("true"),
        about: "Rate limits on the API, login, registration and inboxes; over a limit a client gets 429 with `Retry-After`.",
    },
    KeyDef {
        key: "rate_limit.api_per_ip_per_minute",
        env: "COPSE_RATE_LIMIT_API_PER_IP_PER_MINUTE",
        default: Some("600"),
        about: "API requests one IP address may make per minute (1–1000000).",
    },
    KeyDef {
        key: "rate_limit.api_per_account_per_minute",
        env: "COPSE_RATE_LIMIT_API_PER_ACCOUNT_PER_MINUTE",
        default: Some("300"),
        about: "API requests one logged-in account may make per minute, from any address (1–1000000).",
    },
    KeyDef {
        key: "rate_limit.login_per_ip_per_minute",
        env: "COPSE_RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE",
        default: Some("10"),
        about: "Login attempts one IP address may make per minute (1–1000000).",
    },
    KeyDef {
        key: "rate_limit.login_per_account_per_hour",
        env: "COPSE_RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR",
        default: Some("30"),
        about: "Login attempts for one account name per hour, from any address (1–1000000): a password guessed from many addresses at once is slowed all the same.",
    },
    KeyDef {
        key: "rate_limit.registration_per_ip_per_hour",
        env: "COPSE_RATE_LIMIT_REGISTRATION_PER_IP_PER_HOUR",
        default: Some("5"),
        about: "Sign-ups one IP address may make per hour (1–1000000).",
    },
    KeyDef {
        key: "rate_limit.inbox_per_ip_per_minute",
        env: "COPSE_RATE_LIMIT_INBOX_PER_IP_PER_MINUTE",
        default: Some("6000"),
        about: "Activities one IP address may deliver to this server's inboxes per minute (1–1000000). Large servers send a lot; keep it generous.",
    },
    KeyDef {
        key: "rate_limit.inbox_per_actor_per_minute",
        env: "COPSE_RATE_LIMIT_INBOX_PER_ACTOR_PER_MINUTE",
        default: Some("600"),
        about: "Activities one remote actor may send to this server's inboxes per minute (1–1000000); a flooding actor is refused without slowing its server's other actors.",
    },
];

/// Looks a key up by its file name.
pub fn find(key: &str) -> Option<&'static KeyDef> {
    KEYS.iter().find(|k| k.key == key)
}
