//! Discussions: posts in communities, comments threaded under them, votes on both.
//!
//! Local and remote content are stored alike, each identified by its ActivityPub id. What a
//! local member writes is stored, then published: in a local community the community
//! announces it to its followers; in a remote one it is sent to that community, and shown
//! here once the community's `Announce` confirms it was accepted.

pub mod comments;
pub mod feed;
pub mod model;
pub mod participant;
pub mod pins;
pub mod posts;
pub use posts::{PostInput, venue};
pub mod rank;
pub mod views;
pub mod votes;
pub mod write;

pub use model::{Author, CommentView, PostView};
