//! Rate limits: request budgets per client address, account and remote actor, in memory.
//!
//! Each limit is a token bucket ([`gcra`]) per key, kept in one bounded table ([`table`]).
//! The budgets are per process: several copse processes sharing one database each enforce
//! their own, so a client may get up to N times a budget from N processes. That is the
//! price of never touching the database to count requests; the limits are there to stop
//! floods, not to meter.
//!
//! Nothing here knows about HTTP; the server's layers find the client address
//! ([`client`]) and call [`Limiter::check`].

pub mod client;
pub mod gcra;
pub mod table;

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::config::RateLimits;
use crate::error::{Error, ErrorCode, Result};
use crate::metrics::Metrics;
use gcra::{Decision, Rate};
use table::Table;

/// The most keys the limiter remembers at once, all limits together. At about 50 bytes an
/// entry this is a few megabytes; past it the keys nearest to a full bucket are forgotten.
pub const MAX_KEYS: usize = 100_000;

/// The budgets copse keeps apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// API requests per client address.
    ApiPerIp,
    /// API requests per logged-in account.
    ApiPerAccount,
    /// Login attempts per client address.
    LoginPerIp,
    /// Login attempts per account name, from any address: a password guessed from many
    /// addresses at once is slowed all the same.
    LoginPerAccount,
    /// Sign-ups per client address.
    RegistrationPerIp,
    /// Activities delivered to the inboxes per client address.
    InboxPerIp,
    /// Activities delivered to the inboxes per remote actor.
    InboxPerActor,
}

impl Limit {
    /// Every limit, in a fixed order.
    pub const ALL: [Limit; 7] = [
        Limit::ApiPerIp,
        Limit::ApiPerAccount,
        Limit::LoginPerIp,
        Limit::LoginPerAccount,
        Limit::RegistrationPerIp,
        Limit::InboxPerIp,
        Limit::InboxPerActor,
    ];

    /// The label of the limit in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::ApiPerIp => "api_per_ip",
            Limit::ApiPerAccount => "api_per_account",
            Limit::LoginPerIp => "login_per_ip",
            Limit::LoginPerAccount => "login_per_account",
            Limit::RegistrationPerIp => "registration_per_ip",
            Limit::InboxPerIp => "inbox_per_ip",
            Limit::InboxPerActor => "inbox_per_actor",
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            Limit::ApiPerIp => "too many requests from this address",
            Limit::ApiPerAccount => "too many requests from this account",
            Limit::LoginPerIp => "too many login attempts from this address",
            Limit::LoginPerAccount => "too many login attempts for this account",
            Limit::RegistrationPerIp => "too many sign-ups from this address",
            Limit::InboxPerIp => "too many activities from this address",
            Limit::InboxPerActor => "too many activities from this actor",
        }
    }

    fn rate(self, limits: &RateLimits) -> Rate {
        const MINUTE: Duration = Duration::from_secs(60);
        const HOUR: Duration = Duration::from_secs(3600);
        match self {
            Limit::ApiPerIp => Rate::new(limits.api_per_ip_per_minute, MINUTE),
            Limit::ApiPerAccount => Rate::new(limits.api_per_account_per_minute, MINUTE),
            Limit::LoginPerIp => Rate::new(limits.login_per_ip_per_minute, MINUTE),
            Limit::LoginPerAccount => Rate::new(limits.login_per_account_per_hour, HOUR),
            Limit::RegistrationPerIp => Rate::new(limits.registration_per_ip_per_hour, HOUR),
            Limit::InboxPerIp => Rate::new(limits.inbox_per_ip_per_minute, MINUTE),
            Limit::InboxPerActor => Rate::new(limits.inbox_per_actor_per_minute, MINUTE),
        }
    }
}

/// What a limit is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    /// A client address (IPv6 by its /64).
    Ip(IpAddr),
    /// A local account's id.
    Account(i64),
    /// A remote actor's id (URL).
    Actor(&'a str),
    /// The name or email a login was tried with, lowercased (whether an account has it or
    /// not, so a refusal says nothing of which accounts exist).
    Login(&'a str),
}

/// The budgets of one server.
pub struct Limiter {
    limits: RateLimits,
    rates: [Rate; Limit::ALL.len()],
    table: Table,
    /// Keyed per process so senders cannot aim keys at one table slot.
    hasher: std::collections::hash_map::RandomState,
    epoch: Instant,
    /// Added to the clock: lets tests see a minute pass without waiting one.
    skew: AtomicU64,
    /// Where refusals are counted, by limit.
    metrics: Arc<Metrics>,
}

impl Limiter {
    /// A limiter with these budgets, holding at most [`MAX_KEYS`] keys.
    pub fn new(limits: RateLimits, metrics: Arc<Metrics>) -> Limiter {
        Self::with_capacity(limits, metrics, MAX_KEYS)
    }

    /// A limiter holding at most `capacity` keys.
    pub fn with_capacity(limits: RateLimits, metrics: Arc<Metrics>, capacity: usize) -> Limiter {
        Limiter {
            rates: Limit::ALL.map(|l| l.rate(&limits)),
            limits,
            table: Table::new(capacity),
            hasher: Default::default(),
            epoch: Instant::now(),
            skew: AtomicU64::new(0),
            metrics,
        }
    }

    /// Counts one request against `limit` for `key`; over budget, a `rate_limited` error
    /// that says when to retry. Always passes when limits are disabled.
    pub fn check(&self, limit: Limit, key: Key<'_>) -> Result<()> {
        if !self.limits.enabled {
            return Ok(());
        }
        let (rate, hash) = self.bucket(limit, key);
        let now = self.now();
        let decision = self
            .table
            .update(hash, now, |tat| gcra::check(rate, tat, now));
        self.answer(limit, decision)
    }

    /// Refuses as [`Limiter::check`] would if the budget is already spent, but counts
    /// nothing. For keys the sender merely claims (an activity's `actor` before its
    /// signature is checked): a flood is refused at no cost, while forged claims cannot
    /// spend someone else's budget; [`Limiter::check`] counts once the claim is proved.
    pub fn refuse_if_spent(&self, limit: Limit, key: Key<'_>) -> Result<()> {
        if !self.limits.enabled {
            return Ok(());
        }
        let (rate, hash) = self.bucket(limit, key);
        let decision = gcra::check(rate, self.table.peek(hash), self.now());
        self.answer(limit, decision)
    }

    fn bucket(&self, limit: Limit, key: Key<'_>) -> (Rate, u64) {
        let key = match key {
            Key::Ip(ip) => Key::Ip(client::limit_key(ip)),
            other => other,
        };
        let rate = self.rates[Self::index(limit)];
        (rate, self.hasher.hash_one((limit, key)))
    }

    fn answer(&self, limit: Limit, decision: Decision) -> Result<()> {
        match decision {
            Decision::Allow { .. } => Ok(()),
            Decision::Refuse { retry_after } => {
                self.metrics.rate_limited(limit.as_str());
                let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                Err(Error::new(
                    ErrorCode::RateLimited,
                    format!("{}; retry in {seconds} s", limit.refusal()),
                )
                .with_retry_after(seconds))
            }
        }
    }

    /// Keys remembered now.
    pub fn keys_held(&self) -> usize {
        self.table.len()
    }

    /// The most keys remembered at once.
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Moves the limiter's clock forward, as if `by` had passed (for tests: budgets
    /// refill without the test waiting a minute).
    pub fn advance_clock(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.skew.fetch_add(nanos, Ordering::Relaxed);
    }

    fn now(&self) -> u64 {
        let real = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        real.saturating_add(self.skew.load(Ordering::Relaxed))
    }

    fn index(limit: Limit) -> usize {
        Limit::ALL.iter().position(|&l| l == limit).unwrap_or(0)
    }
}
