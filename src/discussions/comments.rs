//! Comments: threaded under a post or under another comment.

use super::model::CommentView;
use super::participant::Participant;
use super::posts::{here, venue_of_row, visible};
use super::views;
use super::write::{self, CommentDraft, Origin};
use crate::accounts::User;
use crate::app::App;
use crate::communities::{Reach, Venue};
use crate::content;
use crate::db::comments::{self, CommentRow};
use crate::db::{DbConnection, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{CommentEvent, Event};

const MAX_BODY: usize = 20_000;

fn check(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(Error::new(
            ErrorCode::CommentBodyInvalid,
            format!("a comment is 1 to {MAX_BODY} characters"),
        ));
    }
    Ok(body.to_string())
}

/// `user` comments on post `post_id`, under comment `parent_id` if given.
pub async fn create(
    app: &App,
    user: &User,
    post_id: i64,
    parent_id: Option<i64>,
    body: &str,
) -> Result<CommentView> {
    let body = check(body)?;
    let draft = CommentDraft {
        body_html: content::render_markdown(&body),
        body_source: Some(body),
        language: None,
    };
    let here = here(app);
    let author = here.urls.person(&user.username);
    let commenter = user.clone();
    app.change(move |c, events| {
        let post = visible(c, post_id, Some(&commenter))?;
        let parent = match parent_id {
            Some(id) => Some(
                comments::find(c, id)?
                    .filter(|p| p.post_id == post_id)
                    .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such parent comment"))?,
            ),
            None => None,
        };
        let who = Participant::Local(&commenter);
        let row = write::new_comment(
            c,
            &here.urls,
            &post,
            parent.as_ref(),
            who,
            draft,
            Origin::Here,
        )?;
        let venue = venue_of_row(c, &here.urls, &post)?;
        let in_reply_to = parent
            .as_ref()
            .map_or(post.ap_id.clone(), |p| p.ap_id.clone());
        let view = views::comment_view(c, &here, &row)?;
        let event = CommentEvent {
            comment: row,
            author,
            venue,
            reach: Reach::of_post(&post),
            in_reply_to,
            post: post.ap_id,
        };
        events.record(c, Event::CommentCreated(event))?;
        Ok(view)
    })
    .await
}

/// The author edits a comment.
pub async fn edit(app: &App, user: &User, id: i64, body: &str) -> Result<CommentView> {
    let body = check(body)?;
    let draft = CommentDraft {
        body_html: content::render_markdown(&body),
        body_source: Some(body),
        language: None,
    };
    let here = here(app);
    let author = here.urls.person(&user.username);
    let user = user.clone();
    app.change(move |c, events| {
        let row = live_comment(c, id)?;
        let row = write::edit_comment(c, &row, Participant::Local(&user), draft)?;
        let Context {
            venue,
            reach,
            in_reply_to,
            post,
        } = context(c, &here.urls, &row)?;
        let view = views::comment_view(c, &here, &row)?;
        let event = CommentEvent {
            comment: row,
            author,
            venue,
            reach,
            in_reply_to,
            post,
        };
        events.record(c, Event::CommentEdited(event))?;
        Ok(view)
    })
    .await
}

/// The author deletes a comment; replies under it stay.
pub async fn delete(app: &App, user: &User, id: i64) -> Result<()> {
    let here = here(app);
    let author = here.urls.person(&user.username);
    let user = user.clone();
    app.change(move |c, events| {
        let row = live_comment(c, id)?;
        write::delete_comment(c, &row, Participant::Local(&user))?;
        let Context {
            venue,
            reach,
            in_reply_to,
            post,
        } = context(c, &here.urls, &row)?;
        let event = CommentEvent {
            comment: row,
            author,
            venue,
            reach,
            in_reply_to,
            post,
        };
        events.record(c, Event::CommentDeleted(event))
    })
    .await
}

/// A comment that is not deleted.
fn live_comment(c: &mut DbConnection, id: i64) -> Result<CommentRow> {
    comments::find(c, id)?
        .filter(|r| !r.deleted)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))
}

/// Where a comment is said: its community, its audience (its post's), the id it replies to
/// and its post's id.
pub(crate) struct Context {
    pub venue: Venue,
    pub reach: Reach,
    pub in_reply_to: String,
    pub post: String,
}

/// The [`Context`] of a stored comment.
pub(crate) fn context(
    c: &mut DbConnection,
    urls: &crate::federation::urls::Urls,
    row: &CommentRow,
) -> Result<Context> {
    let post = posts::find(c, row.post_id)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
    let venue = venue_of_row(c, urls, &post)?;
    let in_reply_to = match row.parent_id {
        Some(pid) => comments::find(c, pid)?.map_or(post.ap_id.clone(), |p| p.ap_id),
        None => post.ap_id.clone(),
    };
    Ok(Context {
        venue,
        reach: Reach::of_post(&post),
        in_reply_to,
        post: post.ap_id,
    })
}

/// The comment `id` if `user` wrote it (and it is not deleted); someone else's is
/// refused, a missing one not found.
pub async fn own(app: &App, user: &User, id: i64) -> Result<CommentView> {
    let here = here(app);
    let user_id = user.id;
    app.db
        .run(move |c| {
            let row = comments::find(c, id)?
                .filter(|r| !r.deleted)
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?;
            if row.author_user_id != Some(user_id) {
                return Err(Error::new(
                    ErrorCode::Forbidden,
                    "only its author changes a comment",
                ));
            }
            views::comment_view(c, &here, &row)
        })
        .await
}

/// A post's comments as a thread: each comment followed by its replies, oldest first.
pub async fn thread(app: &App, viewer: Option<&User>, post_id: i64) -> Result<Vec<CommentView>> {
    let here = here(app);
    let viewer = viewer.cloned();
    app.db
        .run(move |c| {
            visible(c, post_id, viewer.as_ref())?;
            // The comments and their authors in one query.
            let (rows, mut names): (Vec<CommentRow>, Vec<_>) =
                comments::of_post_with_authors(c, post_id)?
                    .into_iter()
                    .unzip();
            let index: std::collections::HashMap<i64, usize> =
                rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
            Ok(thread_order(&rows)
                .into_iter()
                .map(|r| {
                    let names = index
                        .get(&r.id)
                        .map(|i| std::mem::take(&mut names[*i]))
                        .unwrap_or_default();
                    views::view_of_comment(r, views::joined_author(&here, names))
                })
                .collect())
        })
        .await
}

/// Depth-first order: every comment right after its parent, siblings oldest first.
pub fn thread_order(rows: &[CommentRow]) -> Vec<&CommentRow> {
    use std::collections::{HashMap, HashSet};
    // Each comment's replies, in the order given (oldest first): one pass, not one per
    // comment, so a long thread stays linear.
    let mut replies: HashMap<Option<i64>, Vec<&CommentRow>> = HashMap::new();
    for row in rows {
        replies.entry(row.parent_id).or_default().push(row);
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut placed = HashSet::with_capacity(rows.len());
    // Depth-first without recursion: a deep thread cannot exhaust the stack.
    let mut stack: Vec<&CommentRow> = replies
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .copied()
        .collect();
    while let Some(row) = stack.pop() {
        if !placed.insert(row.id) {
            continue;
        }
        out.push(row);
        if let Some(children) = replies.get(&Some(row.id)) {
            stack.extend(children.iter().rev().copied());
        }
    }
    // Replies whose parent is missing (not received yet) still show, at the end.
    for row in rows {
        if !placed.contains(&row.id) {
            out.push(row);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent_id: Option<i64>) -> CommentRow {
        let at = chrono::DateTime::from_timestamp(id, 0)
            .map_or_else(crate::time::now, |t| t.naive_utc());
        CommentRow {
            id,
            ap_id: format!("https://cop.example/comment/{id}"),
            post_id: 1,
            parent_id,
            author_user_id: None,
            author_remote_id: None,
            body_source: None,
            body_html: String::new(),
            language: None,
            deleted: false,
            pending: false,
            upvotes: 0,
            downvotes: 0,
            score: 0,
            depth: 0,
            published_at: at,
            edited_at: None,
            created_at: at,
            removed: false,
        }
    }

    fn ids(rows: &[CommentRow]) -> Vec<i64> {
        thread_order(rows).iter().map(|r| r.id).collect()
    }

    #[test]
    fn replies_follow_their_parent_oldest_first_and_orphans_come_last() {
        let rows = [
            comment(1, None),
            comment(2, None),
            comment(3, Some(1)),
            comment(4, Some(9)), // its parent has not arrived
            comment(5, Some(3)),
            comment(6, Some(1)),
            comment(7, Some(4)),
        ];
        assert_eq!(ids(&rows), [1, 3, 5, 6, 2, 4, 7]);
        assert!(ids(&[]).is_empty());
    }

    #[test]
    fn a_very_deep_thread_is_ordered_without_exhausting_the_stack() {
        let rows: Vec<CommentRow> = (1..=100_000)
            .map(|id| comment(id, (id > 1).then_some(id - 1)))
            .collect();
        let order = ids(&rows);
        assert_eq!(order.len(), rows.len());
        assert!(order.windows(2).all(|w| w[0] + 1 == w[1]));
    }
}
