//! Activities copse sends and what it does with those it receives, one file per kind.

pub mod announce;
pub mod content;
pub mod flag;
pub mod follow;
pub mod followed_notes;
pub mod ids;
pub mod membership;
pub mod moderation;
pub mod moderation_wire;
pub mod parents;
pub mod person;
pub mod table;
pub mod votes;
pub mod warn;
