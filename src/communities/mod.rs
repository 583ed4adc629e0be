//! Communities of practice: the `Group` actors people follow and join.
//!
//! A community's name is the `name` of `!name@domain` and shares one namespace with
//! usernames, so `acct:name@domain` always names exactly one actor. Its creator becomes its
//! first moderator.

mod create;
mod directory;
mod model;
pub mod venue;

pub use create::{MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, NewCommunity, create, details, find_local};
pub use directory::{Listed, directory};
pub use model::{Community, CommunityDetails};
pub use venue::{Reach, Venue};
