//! The community record.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::communities;
use crate::membership::{JoinPolicy, PostingPolicy, Visibility};

/// A community hosted on this server.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub title: String,
    /// Markdown, as written by its moderators.
    pub summary: Option<String>,
    pub language: Option<String>,
    pub discoverable: bool,
    pub public_key_pem: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `public`, `unlisted` or `private` (see [`Visibility`]).
    pub visibility: String,
    /// `open`, `approval` or `invite` (see [`JoinPolicy`]).
    pub join_policy: String,
    /// `followers`, `members` or `moderators` (see [`PostingPolicy`]).
    pub posting_policy: String,
    pub verified_posting_only: bool,
    /// JSON list of the rules, in order.
    pub rules: String,
    /// JSON list of [`crate::membership::Question`].
    pub questions: String,
    /// Markdown sent to each new member.
    pub welcome_message: Option<String>,
    pub member_list_public: bool,
}

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

    /// Followers wait for a moderator unless anyone may join: a follow from another server
    /// is then an application.
    pub fn manually_approves_followers(&self) -> bool {
        self.join_policy() != JoinPolicy::Open
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
