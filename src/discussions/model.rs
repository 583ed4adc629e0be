//! What the API shows of posts and comments.

use serde::Serialize;

/// Who wrote something.
#[derive(Debug, Clone, Serialize)]
pub struct Author {
    /// `@name@host`.
    pub handle: String,
    pub actor_id: String,
    pub local: bool,
}

/// A post as clients see it.
#[derive(Debug, Clone, Serialize)]
pub struct PostView {
    pub id: i64,
    pub ap_id: String,
    /// `!name@host` of its community.
    pub community: String,
    pub author: Option<Author>,
    pub title: String,
    /// The Markdown the author wrote (absent for content received without a source).
    pub body: Option<String>,
    /// Sanitized HTML.
    pub body_html: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub content_warning: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub deleted: bool,
    /// Removed by a moderator: only moderators see such a post.
    pub removed: bool,
    /// Written here for a community elsewhere that has not accepted it yet (only its
    /// author sees it meanwhile).
    pub pending: bool,
    pub score: i32,
    pub upvotes: i32,
    pub downvotes: i32,
    pub comment_count: i32,
    pub published_at: String,
    pub edited_at: Option<String>,
}

/// A comment as clients see it; a thread lists them parent before children.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: i64,
    pub ap_id: String,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author: Option<Author>,
    pub body: Option<String>,
    pub body_html: String,
    pub deleted: bool,
    /// Removed by a moderator: its text is not shown.
    pub removed: bool,
    /// Written here for a community elsewhere that has not accepted it yet.
    pub pending: bool,
    pub score: i32,
    pub upvotes: i32,
    pub downvotes: i32,
    pub published_at: String,
    pub edited_at: Option<String>,
}
