//! A post as a `Page`.

use super::{PUBLIC, context_of};
use crate::db::posts::PostRow;
use crate::federation::protocol::objects::{
    Attachment, ObjectFields, ObjectKind, Page, Source, Term, Tombstone,
};
use crate::federation::protocol::outgoing::at;

/// What a post is served and sent as: its `Page`, or the `Tombstone` of a deleted one.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum PostObject {
    Page(Box<Page>),
    Tombstone(Tombstone),
}

/// The `Page` of a post by `author` in `community` (both ActivityPub ids).
pub fn page(post: &PostRow, author: &str, community: &str) -> PostObject {
    // What a moderator removed is no more served than what its author deleted.
    if post.deleted || post.removed {
        return PostObject::Tombstone(Tombstone::new(&post.ap_id, "Page"));
    }
    PostObject::Page(Box::new(Page {
        kind: ObjectKind::Page,
        fields: ObjectFields {
            id: post.ap_id.clone(),
            attributed_to: vec![author.into()],
            // Members-only content never says it is public, wherever it is read.
            to: if post.restricted {
                vec![community.to_string()]
            } else {
                vec![community.to_string(), PUBLIC.to_string()]
            },
            audience: Some(community.to_string()),
            name: Some(post.title.clone()),
            content: post.body_html.clone(),
            media_type: Some("text/html".into()),
            source: post.body_source.as_deref().map(Source::markdown),
            // `summary` is HTML on the wire; a content warning is plain text.
            summary: post.content_warning.as_deref().map(crate::web::escape),
            sensitive: Some(post.sensitive),
            context: Some(context_of(&post.ap_id)),
            published: Some(at(post.published_at)),
            updated: post.edited_at.map(at),
            attachment: post
                .url
                .as_deref()
                .map(Attachment::link)
                .into_iter()
                .collect(),
            language: post.language.as_deref().map(language),
            ..ObjectFields::default()
        },
        comments_enabled: Some(!post.locked),
        stickied: Some(post.pinned),
    }))
}

/// A language as Lemmy names it; copse knows only the code, which serves as the name.
pub(super) fn language(code: &str) -> Term {
    Term {
        identifier: code.to_string(),
        name: Some(code.to_string()),
    }
}
