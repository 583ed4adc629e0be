//! Other servers' actors: finding them (WebFinger), fetching them (signed, as the instance
//! actor) and keeping them cached for signature checks and deliveries.

pub mod actors;
pub mod signed_fetch;
pub mod webfinger;

pub use actors::{actor, actor_for_key, refresh};
