//! Moderation: what moderators and admins do to keep a community and an instance healthy,
//! and the record of it.
//!
//! Every action, in a community here or received from a remote community's moderators, is
//! written to the moderation log ([`log`]) in the transaction that performs it, so the log
//! never claims what did not happen nor misses what did.

pub mod log;
pub mod log_view;
pub mod reports;

pub use log::{Action, LogEntry, Moderator, TargetKind};
pub mod authority;
pub mod bans;
pub mod content;
pub mod conversations;
pub mod purge;
pub mod waiting;
