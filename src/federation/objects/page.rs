//! A post as a `Page`.

use serde_json::{Value, json};

use super::{PUBLIC, context_of};
use crate::db::posts::PostRow;
use crate::time::rfc3339_micros as rfc3339;

/// The `Page` of a post by `author` in `community` (both ActivityPub ids).
pub fn page(post: &PostRow, author: &str, community: &str) -> Value {
    // What a moderator removed is no more served than what its author deleted.
    if post.deleted || post.removed {
        return tombstone(&post.ap_id, "Page");
    }
    let mut page = json!({
        "type": "Page",
        "id": post.ap_id,
        "attributedTo": author,
        "to": [community, PUBLIC],
        "cc": [],
        "audience": community,
        "name": post.title,
        "mediaType": "text/html",
        "sensitive": post.sensitive,
        "commentsEnabled": !post.locked,
        "stickied": post.pinned,
        "context": context_of(&post.ap_id),
        "published": rfc3339(post.published_at),
    });
    if let Some(html) = &post.body_html {
        page["content"] = json!(html);
    }
    if let Some(source) = &post.body_source {
        page["source"] = json!({"content": source, "mediaType": "text/markdown"});
    }
    if let Some(url) = &post.url {
        page["attachment"] = json!([{"type": "Link", "href": url}]);
    }
    if let Some(cw) = &post.content_warning {
        page["summary"] = json!(cw);
    }
    if let Some(lang) = &post.language {
        page["language"] = json!({"identifier": lang, "name": lang});
    }
    if let Some(edited) = post.edited_at {
        page["updated"] = json!(rfc3339(edited));
    }
    page
}

/// What a deleted object is served as.
pub fn tombstone(id: &str, former_type: &str) -> Value {
    json!({"type": "Tombstone", "id": id, "formerType": former_type})
}
