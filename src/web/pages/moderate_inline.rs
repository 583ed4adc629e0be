//! Moderation where the content is: on a thread, a community's moderators remove and
//! restore posts and comments, lock and reopen a thread, and pin it, each with an optional
//! reason that its author and the moderation log see. The domain checks, for each action,
//! that the reader moderates the community; a member's forged form is refused there.

use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

use super::see_other;
use crate::discussions::pins;
use crate::error::{Error, ErrorCode, Result};
use crate::moderation::content;
use crate::web::form::Submitted;

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    #[serde(default)]
    reason: String,
}

impl ActionForm {
    fn reason(&self) -> Option<String> {
        Some(self.reason.trim().to_string()).filter(|r| !r.is_empty())
    }
}

fn unknown() -> Error {
    Error::new(ErrorCode::InvalidRequest, "no such moderation action")
}

/// `POST /post/{id}/moderate`: `remove`, `restore`, `lock`, `unlock`, `pin` or `unpin`.
pub async fn post(Path(id): Path<i64>, submitted: Submitted<ActionForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    let (app, reason) = (&ctx.app, form.reason());
    match form.action.as_str() {
        "remove" => content::set_post_removed(app, user, id, true, reason).await?,
        "restore" => content::set_post_removed(app, user, id, false, reason).await?,
        "lock" => content::set_post_locked(app, user, id, true, reason).await?,
        "unlock" => content::set_post_locked(app, user, id, false, reason).await?,
        "pin" => pins::set_pinned(app, user, id, true).await?,
        "unpin" => pins::set_pinned(app, user, id, false).await?,
        _ => return Err(unknown()),
    };
    Ok(see_other(&format!("/post/{id}")))
}

/// `POST /comment/{id}/moderate`: `remove` or `restore`.
pub async fn comment(Path(id): Path<i64>, submitted: Submitted<ActionForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    let removed = match form.action.as_str() {
        "remove" => true,
        "restore" => false,
        _ => return Err(unknown()),
    };
    let view = content::set_comment_removed(&ctx.app, user, id, removed, form.reason()).await?;
    Ok(see_other(&format!("/post/{}#comment-{id}", view.post_id)))
}
