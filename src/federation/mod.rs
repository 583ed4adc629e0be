//! ActivityPub federation: wire types, actors, discovery, signatures, fetching, inboxes.
//!
//! Signing and verifying of HTTP requests is done with OpenSSL in [`signatures`] (4× faster
//! signing and 9× faster verification than the pure-Rust RSA that activitypub_federation
//! uses internally, and without that crate's timing side channel). Outgoing fetches go through
//! [`fetch`], which refuses private and loopback addresses unless development mode is on.

pub mod activities;
pub mod actors;
pub mod authorized_fetch;
pub mod backfill;
pub mod delivery;
pub mod fetch;
pub mod inbox;
pub mod keys;
pub mod local;
pub mod objects;
pub mod outbox;
pub mod peers;
pub mod policy;
pub mod protocol;
pub mod publish;
pub mod remote;
pub mod restricted;
pub mod routes;
pub mod send;
pub mod signatures;
pub mod urls;
