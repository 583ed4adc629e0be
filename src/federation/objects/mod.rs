//! Local posts and comments as the ActivityPub objects Lemmy reads: a post is a `Page`
//! addressed to its community, a comment a `Note` with `inReplyTo` (FEP-1b12). Each carries
//! `context`, the thread it belongs to (FEP-7888), served as a collection at that address.

pub mod note;
pub mod page;

pub use super::protocol::PUBLIC;

/// The context (thread) of a post and of every comment under it.
pub fn context_of(post_ap_id: &str) -> String {
    format!("{post_ap_id}/context")
}
