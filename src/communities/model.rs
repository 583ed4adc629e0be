//! The community record.

pub use crate::db::communities::Community;
use crate::membership::{JoinPolicy, PostingPolicy, Visibility};

impl Community {
    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Private)
    }

    pub fn join_policy(&self) -> JoinPolicy {
        JoinPolicy::parse(&self.join_policy).unwrap_or(JoinPolicy::Approval)
    }

    pub fn posting_policy(&self) -> PostingPolicy {
        PostingPolicy::parse(&self.posting_policy).unwrap_or(PostingPolicy::Moderators)
    }

    /// Followers of a private community wait for a moderator unless anyone may join: a
    /// follow from another server is then an application, since following it is reading
    /// what only members read. A public community's posts are public, so following it is
    /// open whatever its join policy; becoming a member is what approval is for.
    pub fn manually_approves_followers(&self) -> bool {
        self.is_private() && self.join_policy() != JoinPolicy::Open
    }

    /// Whether only moderators start posts (Lemmy's `postingRestrictedToMods`).
    pub fn posting_restricted_to_mods(&self) -> bool {
        self.posting_policy() == PostingPolicy::Moderators
    }

    pub fn is_private(&self) -> bool {
        self.visibility() == Visibility::Private
    }
}

/// A community with what is shown beside it.
#[derive(Debug, Clone)]
pub struct CommunityDetails {
    pub community: Community,
    pub moderators: Vec<String>,
    pub followers: i64,
    pub members: i64,
}
