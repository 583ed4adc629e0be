//! `/post/{id}` and `/comment/{id}` for browsers: a post with its comments nested, replies
//! collapsed beyond a depth behind "continue this thread" (the comment's own page).

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;

use super::when;
use crate::discussions::{CommentView, PostView, comments, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::web::page::{Ctx, Meta, Page};

/// Nesting shown on one page; deeper replies are on their parent's own page.
const MAX_DEPTH: i32 = 6;

/// A comment in the page's order, with the list markup that nests it.
struct Shown {
    c: CommentView,
    /// Fixed tags before this comment: `<ul>` to nest it, or `</li>` to close its sibling.
    before: &'static str,
    close_levels: usize,
    /// Its replies are on its own page.
    continue_here: bool,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    page: Page,
    post: PostView,
    community_name: String,
    comments: Vec<Shown>,
    /// Levels still open after the last comment.
    trailing: usize,
    focus: Option<i64>,
    can_reply: bool,
    /// The reader's actor id, to offer editing what they wrote.
    me: Option<String>,
    reported: bool,
    /// The reader moderates the post's community (here): its tools are shown inline.
    moderates: bool,
}

impl ThreadPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    fn closes(&self, n: &usize) -> String {
        "</ul></li>".repeat(*n)
    }

    fn mine(&self, author: &Option<crate::discussions::Author>) -> bool {
        match (author, &self.me) {
            (Some(a), Some(me)) => &a.actor_id == me,
            _ => false,
        }
    }

    fn count(&self, key: &str, n: &i32) -> String {
        self.page.lang.count(key, i64::from(*n))
    }
}

#[derive(serde::Deserialize)]
pub struct ThreadQuery {
    #[serde(default)]
    reported: Option<String>,
}

pub async fn post(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ThreadQuery>) -> Result<Response> {
    render(ctx, id, None, q.reported.is_some()).await
}

pub async fn comment(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response> {
    let post_id = ctx
        .app
        .db
        .run(move |c| Ok(crate::db::comments::find(c, id)?.map(|r| r.post_id)))
        .await?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?;
    render(ctx, post_id, Some(id), q.reported.is_some()).await
}

async fn render(ctx: Ctx, post_id: i64, focus: Option<i64>, reported: bool) -> Result<Response> {
    let post = posts::get(&ctx.app, ctx.viewer.as_ref(), post_id).await?;
    let moderates = moderates(&ctx, &post.community).await?;
    // What its author deleted is gone; what moderators removed is gone for readers, and
    // stays for the moderators, who may restore it.
    if post.deleted || (post.removed && !moderates) {
        return Err(Error::new(ErrorCode::NotFound, "no such post"));
    }
    let all = comments::thread(&ctx.app, ctx.viewer.as_ref(), post_id).await?;
    let selected = match focus {
        Some(id) => subtree(all, id)?,
        None => all,
    };
    let (comments, trailing) = nest(selected);
    let community_name = post
        .community
        .trim_start_matches('!')
        .split('@')
        .next()
        .unwrap_or("")
        .to_string();
    let meta = Meta {
        description: post
            .body_html
            .as_deref()
            .map(crate::content::plain_text)
            .map(|t| t.chars().take(200).collect()),
        canonical: Some(post.ap_id.clone()),
        og_type: "article",
        activity: Some(post.ap_id.clone()),
        ..Meta::default()
    };
    let can_reply = ctx.viewer.is_some() && !post.locked;
    let me = ctx
        .viewer
        .as_ref()
        .map(|u| crate::federation::urls::Urls::new(&ctx.app.config).person(&u.username));
    let page = ctx.page(post.title.clone(), meta).await;
    let view = ThreadPage {
        page,
        post,
        community_name,
        comments,
        trailing,
        focus,
        can_reply,
        me,
        reported,
        moderates,
    };
    Ok(ctx.ok(view.render()))
}

/// Whether the reader moderates the community `handle` (`!name@host`), if it is here.
async fn moderates(ctx: &Ctx, handle: &str) -> Result<bool> {
    let Some(user) = ctx.viewer.as_ref() else {
        return Ok(false);
    };
    let local = format!("@{}", ctx.app.config.domain);
    let Some(name) = handle.trim_start_matches('!').strip_suffix(&local) else {
        return Ok(false);
    };
    let (name, user_id, admin) = (name.to_string(), user.id, user.is_admin);
    ctx.app
        .db
        .run(move |c| {
            let Some(community) = crate::db::communities::find_by_name(c, &name)? else {
                return Ok(false);
            };
            let who = Some(crate::db::memberships::Member::Local(user_id));
            Ok(crate::membership::access::standing(c, community.id, who, admin)?.moderates())
        })
        .await
}

/// The comment `id` and its replies, depths counted from it.
fn subtree(all: Vec<CommentView>, id: i64) -> Result<Vec<CommentView>> {
    let start = all
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?;
    let base = all[start].depth;
    Ok(all
        .into_iter()
        .skip(start)
        .enumerate()
        .take_while(|(i, c)| *i == 0 || c.depth > base)
        .map(|(_, mut c)| {
            c.depth -= base;
            c
        })
        .collect())
}

/// Gives each comment (in thread order: every comment right after its parent) the list
/// tags that nest it, leaving out those deeper than the page shows.
fn nest(comments: Vec<CommentView>) -> (Vec<Shown>, usize) {
    let mut shown: Vec<Shown> = Vec::with_capacity(comments.len());
    let mut open = 0usize; // Nested lists open around the previous comment.
    let mut first = true;
    for c in comments {
        let depth = c.depth.max(0);
        if depth >= MAX_DEPTH {
            if let Some(parent) = shown.last_mut()
                && parent.c.depth == MAX_DEPTH - 1
            {
                parent.continue_here = true;
            }
            continue;
        }
        let depth = depth as usize;
        let (before, close_levels) = if first {
            ("", 0)
        } else if depth > open {
            ("<ul>", 0)
        } else {
            ("</li>", open - depth)
        };
        first = false;
        open = depth;
        shown.push(Shown {
            c,
            before,
            close_levels,
            continue_here: false,
        });
    }
    let trailing = if shown.is_empty() { 0 } else { open };
    (shown, trailing)
}
