//! A comment as a `Note`.

use serde_json::{Value, json};

use super::page::tombstone;
use super::{PUBLIC, context_of};
use crate::db::comments::CommentRow;
use crate::time::rfc3339_micros as rfc3339;

/// The `Note` of a comment. `in_reply_to` is the parent comment's id, or the post's for a
/// top-level comment; `post` is the post's id (for the thread's context).
pub fn note(
    comment: &CommentRow,
    author: &str,
    community: &str,
    in_reply_to: &str,
    post: &str,
) -> Value {
    if comment.deleted || comment.removed {
        return tombstone(&comment.ap_id, "Note");
    }
    let mut note = json!({
        "type": "Note",
        "id": comment.ap_id,
        "attributedTo": author,
        "to": [PUBLIC],
        "cc": [community],
        "audience": community,
        "inReplyTo": in_reply_to,
        "content": comment.body_html,
        "mediaType": "text/html",
        "context": context_of(post),
        "published": rfc3339(comment.published_at),
    });
    if let Some(source) = &comment.body_source {
        note["source"] = json!({"content": source, "mediaType": "text/markdown"});
    }
    if let Some(lang) = &comment.language {
        note["language"] = json!({"identifier": lang, "name": lang});
    }
    if let Some(edited) = comment.edited_at {
        note["updated"] = json!(rfc3339(edited));
    }
    note
}
