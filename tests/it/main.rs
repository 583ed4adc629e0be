//! Integration tests. Each test gets a fresh database: a SQLite file by default, or a new
//! PostgreSQL database when `COPSE_TEST_POSTGRES_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). CI runs the suite both ways.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod account_lifecycle;
mod accounts;
mod architecture;
mod browser;
mod cli;
mod config;
mod discovery;
mod discussions;
mod docs;
mod federation;
mod federation_policy;
mod federation_policy_cli;
mod federation_policy_peers;
mod fetch;
mod fixtures;
mod flows;
mod followed_notes;
mod golden;
mod hostile;
mod http;
mod inbox;
mod live_inbox;
mod long_work;
mod membership;
mod membership_federation;
mod membership_peers;
mod moderation;
mod moderation_federation;
mod moderation_peers;
mod peer_shapes;
mod private_messages;
mod profiles;
mod queue;
mod rate_limits;
mod reports;
mod reports_federation;
mod signatures;
mod soak;
mod storage;
mod storage_queue_migration;
mod web;
mod web_browser;
mod web_browser_elsewhere;
mod web_browser_moderate;
mod web_moderate;
