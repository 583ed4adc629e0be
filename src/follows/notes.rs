//! What followed people of other servers post outside any community: a Mastodon user's
//! statuses, shown in the home feeds of those here who follow them.
//!
//! Only notes that address the public (public or unlisted) are kept, and only while
//! someone here follows their author: a followers-only status is not kept, because this
//! server cannot tell whom else it was meant for. A note goes when its author deletes it or
//! their account, or when no one here follows them any more.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::db::followed_notes::{self, NewNote};
use crate::error::{Error, ErrorCode, Result};

/// A note as it arrived, its HTML already sanitized.
#[derive(Debug, Clone)]
pub struct ReceivedNote {
    pub ap_id: String,
    /// The author, a cached remote actor.
    pub author: i64,
    pub html: String,
    pub url: Option<String>,
    pub content_warning: Option<String>,
    pub sensitive: bool,
    pub language: Option<String>,
    pub published: NaiveDateTime,
}

/// Keeps a new note, or applies its author's edit. Returns whether anything was kept: a
/// note of someone no one here follows is not, nor an edit of a note never kept.
pub fn receive(c: &mut DbConnection, note: ReceivedNote, is_update: bool) -> Result<bool> {
    if !followed_notes::is_followed_here(c, note.author)? {
        return Ok(false);
    }
    let now = crate::time::now();
    let row = NewNote {
        ap_id: note.ap_id,
        author_remote_id: note.author,
        content_html: note.html,
        url: note.url,
        summary: note.content_warning,
        sensitive: note.sensitive,
        language: note.language,
        published_at: note.published.min(now),
        received_at: now,
    };
    match followed_notes::find_by_ap_id(c, &row.ap_id)? {
        Some(existing) if existing.author_remote_id != row.author_remote_id => Err(Error::new(
            ErrorCode::Forbidden,
            "the note belongs to someone else",
        )),
        Some(existing) => {
            if is_update {
                followed_notes::edit(c, existing.id, &row, now)?;
            }
            Ok(is_update)
        }
        None if is_update => Ok(false),
        None => Ok(followed_notes::insert(c, &row)? > 0),
    }
}

/// The author took a note back: returns whether one was kept.
pub fn withdraw(c: &mut DbConnection, ap_id: &str, author: i64) -> Result<bool> {
    Ok(followed_notes::delete_by_author(c, ap_id, author)? > 0)
}
