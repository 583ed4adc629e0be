//! Writing posts and comments, whoever writes them: a person of this server through the API,
//! or a person of another server whose activity reached the inbox.
//!
//! Both origins go through these functions, so a community's rules, a thread's lock, a
//! person's bans and who may change what are asked in one place, and rows are stored one
//! way. The callers differ only in what they record afterwards: what a local person wrote
//! is published, what a remote person wrote is relayed as it came.

use chrono::NaiveDateTime;

use super::participant::{self, Participant};
use super::posts::venue_of_row;
use super::rank::hot_rank;
use crate::communities::Venue;
use crate::db::comments::{self, CommentRow, NewComment};
use crate::db::posts::{self, NewPost, PostEdit, PostRow};
use crate::db::{DbConnection, ids};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;

/// A post's content, checked and rendered: from a member's form or a remote object.
#[derive(Debug, Clone, Default)]
pub struct PostDraft {
    pub title: String,
    /// What the HTML was rendered from (Markdown), when known.
    pub body_source: Option<String>,
    pub body_html: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub content_warning: Option<String>,
}

/// A comment's content, checked and rendered.
#[derive(Debug, Clone, Default)]
pub struct CommentDraft {
    pub body_source: Option<String>,
    pub body_html: String,
    pub language: Option<String>,
}

/// Where new content comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// Written here, now: it takes an id of this server.
    Here,
    /// Received from its author's server.
    Received(Received),
}

/// What the author's server told us about content it sent.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its id on the author's server.
    pub ap_id: String,
    pub published: NaiveDateTime,
    /// Whether it was addressed to the public.
    pub public: bool,
    /// The people of this server it names: the only readers here of a restricted post of
    /// a community elsewhere (that community decides who else may see it).
    pub addressees: Vec<i64>,
}

/// A new post by `who` in `venue`, in the space named by `space` (a local community's
/// default space when none), checked against the rules that hold there.
pub fn new_post(
    c: &mut DbConnection,
    urls: &Urls,
    venue: &Venue,
    who: Participant<'_>,
    draft: PostDraft,
    space: Option<&str>,
    origin: Origin,
) -> Result<PostRow> {
    // In a community here its rules decide, whoever writes. In one elsewhere a person of
    // this server is held to the bans it told us of, and the post waits for its Announce;
    // a remote person's post there is that community's to judge, and stays restricted
    // unless it was public.
    let (community_id, remote_community_id) = match venue {
        Venue::Local { id, .. } => (Some(*id), None),
        Venue::Remote(actor) => (None, Some(actor.id)),
    };
    let (space_id, restricted, pending) = match (community_id, who, &origin) {
        (Some(id), _, _) => {
            let (space, restricted) = participant::space_for_post(c, id, who, space)?;
            (Some(space), restricted, false)
        }
        (None, Participant::Local(_), _) => {
            participant::check_not_banned(c, urls, who, venue)?;
            (None, false, true)
        }
        (None, Participant::Remote(_), Origin::Received(r)) => (None, !r.public, false),
        (None, Participant::Remote(_), Origin::Here) => {
            return Err(Error::internal("a remote person's post made here"));
        }
    };
    let now = crate::time::now();
    let (id, ap_id, published) = identity(c, urls, ids::Table::Posts, &origin, now)?;
    let (author_user_id, author_remote_id) = author_ids(who);
    let row = posts::insert(
        c,
        &NewPost {
            id,
            ap_id,
            community_id,
            remote_community_id,
            author_user_id,
            author_remote_id,
            title: draft.title,
            body_source: draft.body_source,
            body_html: draft.body_html,
            url: draft.url,
            language: draft.language,
            sensitive: draft.sensitive,
            content_warning: draft.content_warning,
            pending,
            hot_rank: hot_rank(0, published, now),
            published_at: published,
            created_at: now,
            space_id,
            restricted,
        },
    )?;
    if let Origin::Received(r) = &origin
        && restricted
        && community_id.is_none()
    {
        posts::add_recipients(c, row.id, &r.addressees)?;
    }
    Ok(row)
}

/// `who` edits their post.
pub fn edit_post(
    c: &mut DbConnection,
    row: &PostRow,
    who: Participant<'_>,
    draft: PostDraft,
) -> Result<PostRow> {
    check_author(who.wrote(row), "post")?;
    posts::edit(
        c,
        row.id,
        &PostEdit {
            title: draft.title,
            body_source: draft.body_source,
            body_html: draft.body_html,
            url: draft.url,
            language: draft.language,
            sensitive: draft.sensitive,
            content_warning: draft.content_warning,
            edited_at: Some(crate::time::now()),
        },
    )?;
    posts::find(c, row.id)?.ok_or_else(|| Error::internal("post vanished"))
}

/// `who` deletes their post.
pub fn delete_post(c: &mut DbConnection, row: &PostRow, who: Participant<'_>) -> Result<()> {
    check_author(who.wrote(row), "post")?;
    posts::mark_deleted(c, row.id)?;
    Ok(())
}

/// A new comment by `who` under `post` (and under `parent`, a comment of that post),
/// checked against the thread's lock and the rules of its community.
pub fn new_comment(
    c: &mut DbConnection,
    urls: &Urls,
    post: &PostRow,
    parent: Option<&CommentRow>,
    who: Participant<'_>,
    draft: CommentDraft,
    origin: Origin,
) -> Result<CommentRow> {
    if parent.is_some_and(|p| p.post_id != post.id) {
        return Err(Error::new(ErrorCode::NotFound, "no such parent comment"));
    }
    let venue = venue_of_row(c, urls, post)?;
    // A person of this server, or anyone in a community here, is held to its rules; in a
    // community elsewhere a remote person's comment is that community's to judge (it may
    // let its moderators answer in a locked thread).
    let local = matches!(venue, Venue::Local { .. });
    if local || matches!(who, Participant::Local(_)) {
        if post.deleted || !participant::may_see(c, post, who)? {
            return Err(Error::new(ErrorCode::NotFound, "no such post"));
        }
        participant::check_may_comment(c, post, who)?;
        participant::check_not_banned(c, urls, who, &venue)?;
    }
    let now = crate::time::now();
    let (id, ap_id, published) = identity(c, urls, ids::Table::Comments, &origin, now)?;
    let (author_user_id, author_remote_id) = author_ids(who);
    // What a person of this server writes in a community elsewhere waits for its Announce.
    let pending = !local && matches!(who, Participant::Local(_));
    let row = comments::insert(
        c,
        &NewComment {
            id,
            ap_id,
            post_id: post.id,
            parent_id: parent.map(|p| p.id),
            author_user_id,
            author_remote_id,
            body_source: draft.body_source,
            body_html: draft.body_html,
            language: draft.language,
            pending,
            depth: parent.map_or(0, |p| p.depth + 1),
            published_at: published,
            created_at: now,
        },
    )?;
    if !pending {
        posts::add_comment_count(c, post.id, 1)?;
    }
    Ok(row)
}

/// `who` edits their comment.
pub fn edit_comment(
    c: &mut DbConnection,
    row: &CommentRow,
    who: Participant<'_>,
    draft: CommentDraft,
) -> Result<CommentRow> {
    check_author(who.wrote_comment(row), "comment")?;
    comments::edit(
        c,
        row.id,
        draft.body_source.as_deref(),
        &draft.body_html,
        crate::time::now(),
    )?;
    comments::find(c, row.id)?.ok_or_else(|| Error::internal("comment vanished"))
}

/// `who` deletes their comment; replies under it stay.
pub fn delete_comment(c: &mut DbConnection, row: &CommentRow, who: Participant<'_>) -> Result<()> {
    check_author(who.wrote_comment(row), "comment")?;
    comments::mark_deleted(c, row.id)?;
    Ok(())
}

/// The remote community a local person wrote in accepted what they wrote (`ap_id`): it
/// announced it back, or its server took the delivery. What was pending is shown now.
pub fn accepted(c: &mut DbConnection, ap_id: &str) -> Result<()> {
    if let Some(post) = posts::find_by_ap_id(c, ap_id)?
        && post.pending
    {
        posts::confirm(c, post.id)?;
    }
    if let Some(comment) = comments::find_by_ap_id(c, ap_id)?
        && comment.pending
    {
        comments::confirm(c, comment.id)?;
        posts::add_comment_count(c, comment.post_id, 1)?;
    }
    Ok(())
}

/// The id, ActivityPub id and publication time of new content: a local row takes its final
/// id before it is inserted, so it is written once, complete.
fn identity(
    c: &mut DbConnection,
    urls: &Urls,
    table: ids::Table,
    origin: &Origin,
    now: NaiveDateTime,
) -> Result<(Option<i64>, String, NaiveDateTime)> {
    Ok(match origin {
        Origin::Here => {
            let id = ids::next(c, table)?;
            let ap_id = match table {
                ids::Table::Posts => urls.post(id),
                ids::Table::Comments => urls.comment(id),
            };
            (Some(id), ap_id, now)
        }
        // A date in the future is not believed: it would pin the post atop "new".
        Origin::Received(r) => (None, r.ap_id.clone(), r.published.min(now)),
    })
}

fn author_ids(who: Participant<'_>) -> (Option<i64>, Option<i64>) {
    match who {
        Participant::Local(user) => (Some(user.id), None),
        Participant::Remote(actor) => (None, Some(actor.id)),
    }
}

fn check_author(wrote: bool, what: &str) -> Result<()> {
    if wrote {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::Forbidden,
            format!("only the author may change a {what}"),
        ))
    }
}
