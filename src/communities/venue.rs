//! Where content lives and who it is for.
//!
//! Every post, comment, vote or moderator action belongs to one community (its [`Venue`]):
//! a community of this server, which decides who reads it, or a community of another
//! server, which is told and does the rest. Who it is for (its [`Reach`]) is a property of
//! the content, known once the content is: a post's space decides it, and what is said
//! under a post shares the post's. The domain knows both; federation decides what they
//! mean on the wire.

use crate::db::posts::PostRow;
use crate::db::remote_actors::CachedActor;

/// The community something belongs to.
#[derive(Debug, Clone)]
pub enum Venue {
    /// A local community: its row id and actor id.
    Local {
        id: i64,
        ap_id: String,
    },
    Remote(Box<CachedActor>),
}

/// The audience of content in a local community (content of a remote community is that
/// community's affair: [`Reach::Everyone`] as far as this server is concerned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Public: addressed to everyone, sent to every follower server.
    Everyone,
    /// Members of the space with this id (all members for a space open to members, those
    /// with its credential for a credential space), or of the whole private community
    /// (`None`): addressed to the members collection, sent only to servers hosting them.
    Members(Option<i64>),
}

impl Reach {
    /// The audience of a stored post (and of its comments and votes).
    pub fn of_post(post: &PostRow) -> Reach {
        match (post.restricted, post.community_id) {
            (true, Some(_)) => Reach::Members(post.space_id),
            _ => Reach::Everyone,
        }
    }
}

impl Venue {
    pub fn ap_id(&self) -> &str {
        match self {
            Venue::Local { ap_id, .. } => ap_id,
            Venue::Remote(actor) => &actor.ap_id,
        }
    }
}
