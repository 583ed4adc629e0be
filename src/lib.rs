//! copse: a federated server for communities of practice, on ActivityPub.
//!
//! The crate reads top-down as a request travels: [`server`] receives it, [`api`] parses
//! and authorizes it, the domain modules ([`accounts`], …) apply the rules, and [`db`]
//! stores the result on SQLite or PostgreSQL. [`cli`] is the `copse` command.

pub mod accounts;
pub mod api;
pub mod app;
pub mod cli;
pub mod communities;
pub mod config;
pub mod content;
pub mod db;
pub mod discussions;
pub mod error;
pub mod events;
pub mod federation;
pub mod follows;
pub mod housekeeping;
pub mod i18n;
pub mod instance;
pub mod membership;
pub mod metrics;
pub mod moderation;
pub mod ratelimit;
pub mod server;
pub mod time;
pub mod web;

pub use app::App;
pub use config::Config;
pub use error::{Error, ErrorCode, ErrorKind, Result};
