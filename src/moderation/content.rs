//! Moderators acting on content in a community of this server: removing and restoring
//! posts and comments, locking and unlocking threads.
//!
//! A removal is not a deletion: the text stays (hidden from everyone but moderators) so a
//! mistaken removal can be undone. Each action is published by the moderator through the
//! community, as Lemmy does: `Delete` with the reason as `summary` (restored by `Undo`),
//! `Lock` (reopened by `Undo`), announced to the community's followers.

use super::authority::{Attempt, require_moderator};
use super::log::{self, Action, LogEntry, Moderator, TargetKind};
use crate::accounts::User;
use crate::app::App;
use crate::communities::Community;
use crate::communities::{Reach, Venue};
use crate::content;
use crate::db::comments::CommentRow;
use crate::db::posts::PostRow;
use crate::db::{DbConnection, comments, communities, posts};
use crate::discussions::model::{CommentView, PostView};
use crate::discussions::posts::venue_of_row;
use crate::discussions::views;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Event, Recorder};
use crate::federation::urls::Urls;

/// Longest reason a moderator may give.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A moderator's reason: trimmed, optional, at most [`MAX_REASON_CHARS`].
pub fn check_reason(reason: Option<String>) -> Result<Option<String>> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(Error::new(
            ErrorCode::ReasonTooLong,
            format!("a reason is at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(reason)
}

/// The local community a post is in, or the refusal for a post of another server's
/// community (moderated there).
fn community_of(c: &mut DbConnection, post: &PostRow) -> Result<Community> {
    let id = post.community_id.ok_or_else(|| {
        Error::new(
            ErrorCode::NotAModerator,
            "content of another server's community is moderated on that server",
        )
    })?;
    communities::find(c, id)?.ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))
}

fn live_post(c: &mut DbConnection, id: i64) -> Result<PostRow> {
    posts::find(c, id)?
        .filter(|p| !p.deleted && !p.pending)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))
}

fn entry(
    urls: &Urls,
    user: &User,
    action: Action,
    kind: TargetKind,
    community: &Community,
) -> LogEntry {
    let mut entry = LogEntry::new(
        Moderator {
            user_id: Some(user.id),
            ap_id: urls.person(&user.username),
        },
        action,
        kind,
    );
    entry.community_id = Some(community.id);
    entry.community_ap_id = Some(urls.community(&community.name));
    entry
}

/// A short label of a comment for the log.
pub fn comment_label(comment: &CommentRow) -> String {
    let text = content::plain_text(&comment.body_html);
    let mut label: String = text.trim().chars().take(80).collect();
    if text.trim().chars().count() > 80 {
        label.push('…');
    }
    label
}

/// What a moderator does to a post: remove (or restore) it, or lock (or reopen) it.
#[derive(Debug, Clone, Copy)]
enum PostAction {
    Remove(bool),
    Lock(bool),
}

impl PostAction {
    fn logged_as(self) -> Action {
        match self {
            PostAction::Remove(true) => Action::RemovePost,
            PostAction::Remove(false) => Action::RestorePost,
            PostAction::Lock(true) => Action::LockPost,
            PostAction::Lock(false) => Action::UnlockPost,
        }
    }

    /// Whether the post is already as the action would leave it.
    fn done(self, post: &PostRow) -> bool {
        match self {
            PostAction::Remove(removed) => post.removed == removed,
            PostAction::Lock(locked) => post.locked == locked,
        }
    }

    /// Changes the row and records what happened.
    fn apply(
        self,
        c: &mut DbConnection,
        events: &mut Recorder,
        moderator: String,
        post: &PostRow,
        reason: Option<String>,
        venue: Venue,
    ) -> Result<()> {
        let event = match self {
            PostAction::Remove(removed) => {
                posts::set_removed(c, post.id, removed)?;
                Event::RemovalChanged {
                    moderator,
                    object: post.ap_id.clone(),
                    venue,
                    reach: Reach::of_post(post),
                    reason,
                    removed,
                }
            }
            PostAction::Lock(locked) => {
                posts::set_locked(c, post.id, locked)?;
                Event::LockChanged {
                    moderator,
                    post: post.ap_id.clone(),
                    venue,
                    reach: Reach::of_post(post),
                    reason,
                    locked,
                }
            }
        };
        events.record(c, event)
    }
}

/// A moderator removes (`removed`) or restores a post.
pub async fn set_post_removed(
    app: &App,
    user: &User,
    post_id: i64,
    removed: bool,
    reason: Option<String>,
) -> Result<PostView> {
    act_on_post(app, user, post_id, PostAction::Remove(removed), reason).await
}

/// A moderator locks (`locked`: no new comments) or reopens a thread.
pub async fn set_post_locked(
    app: &App,
    user: &User,
    post_id: i64,
    locked: bool,
    reason: Option<String>,
) -> Result<PostView> {
    act_on_post(app, user, post_id, PostAction::Lock(locked), reason).await
}

/// Checks the moderator (a refusal is logged apart), then in one transaction changes the
/// post, publishes the activity and writes the log. Doing what is already done is a no-op.
async fn act_on_post(
    app: &App,
    user: &User,
    post_id: i64,
    what: PostAction,
    reason: Option<String>,
) -> Result<PostView> {
    let reason = check_reason(reason)?;
    let urls = Urls::new(&app.config);
    let here = crate::discussions::posts::here(app);
    let action = what.logged_as();
    let actor = user.clone();
    let (post, community) = app
        .db
        .run({
            let urls = urls.clone();
            move |c| {
                let post = live_post(c, post_id)?;
                let community = community_of(c, &post)?;
                let attempt = Attempt {
                    action,
                    target_kind: TargetKind::Post,
                    target_ap_id: &post.ap_id,
                };
                require_moderator(c, &urls, &community, &actor, attempt)?;
                Ok((post, community))
            }
        })
        .await?;
    let user = user.clone();
    app.change(move |c, events| {
        if !what.done(&post) {
            let moderator = urls.person(&user.username);
            let venue = venue_of_row(c, &urls, &post)?;
            what.apply(c, events, moderator, &post, reason.clone(), venue)?;
            let mut e = entry(&urls, &user, action, TargetKind::Post, &community);
            e.target_ap_id = Some(post.ap_id.clone());
            e.target_label = Some(post.title.clone());
            e.reason = reason;
            log::record(c, e)?;
        }
        let row = posts::find(c, post.id)?.ok_or_else(|| Error::internal("post vanished"))?;
        views::post_view(c, &here, &row)
    })
    .await
}

/// A moderator removes (`removed`) or restores a comment.
pub async fn set_comment_removed(
    app: &App,
    user: &User,
    comment_id: i64,
    removed: bool,
    reason: Option<String>,
) -> Result<CommentView> {
    let reason = check_reason(reason)?;
    let urls = Urls::new(&app.config);
    let here = crate::discussions::posts::here(app);
    let action = if removed {
        Action::RemoveComment
    } else {
        Action::RestoreComment
    };
    let actor = user.clone();
    let (comment, post, community) = app
        .db
        .run({
            let urls = urls.clone();
            move |c| {
                let comment = comments::find(c, comment_id)?
                    .filter(|x| !x.deleted && !x.pending)
                    .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?;
                let post = posts::find(c, comment.post_id)?
                    .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
                let community = community_of(c, &post)?;
                let attempt = Attempt {
                    action,
                    target_kind: TargetKind::Comment,
                    target_ap_id: &comment.ap_id,
                };
                require_moderator(c, &urls, &community, &actor, attempt)?;
                Ok((comment, post, community))
            }
        })
        .await?;
    let user = user.clone();
    app.change(move |c, events| {
        if comment.removed != removed {
            comments::set_removed(c, comment.id, removed)?;
            let moderator = urls.person(&user.username);
            let venue = venue_of_row(c, &urls, &post)?;
            let event = Event::RemovalChanged {
                moderator,
                object: comment.ap_id.clone(),
                venue,
                reach: Reach::of_post(&post),
                reason: reason.clone(),
                removed,
            };
            events.record(c, event)?;
            let mut e = entry(&urls, &user, action, TargetKind::Comment, &community);
            e.target_ap_id = Some(comment.ap_id.clone());
            e.target_label = Some(comment_label(&comment));
            e.reason = reason;
            log::record(c, e)?;
        }
        let row =
            comments::find(c, comment.id)?.ok_or_else(|| Error::internal("comment vanished"))?;
        views::comment_view(c, &here, &row)
    })
    .await
}
