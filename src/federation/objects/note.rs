//! A comment as a `Note`.

use super::page::language;
use super::{PUBLIC, context_of};
use crate::db::comments::CommentRow;
use crate::federation::protocol::objects::{Note, ObjectFields, ObjectKind, Source, Tombstone};
use crate::federation::protocol::outgoing::at;

/// What a comment is served and sent as: its `Note`, or the `Tombstone` of a deleted one.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum CommentObject {
    Note(Box<Note>),
    Tombstone(Tombstone),
}

/// The `Note` of a comment. `in_reply_to` is the parent comment's id, or the post's for a
/// top-level comment; `post` is the post's id (for the thread's context); `public` is
/// false under a members-only post, whose comments never say they are public.
pub fn note(
    comment: &CommentRow,
    author: &str,
    community: &str,
    (in_reply_to, post): (&str, &str),
    public: bool,
) -> CommentObject {
    if comment.deleted || comment.removed {
        return CommentObject::Tombstone(Tombstone::new(&comment.ap_id, "Note"));
    }
    CommentObject::Note(Box::new(Note {
        kind: ObjectKind::Note,
        fields: ObjectFields {
            id: comment.ap_id.clone(),
            attributed_to: vec![author.into()],
            to: if public {
                vec![PUBLIC.to_string()]
            } else {
                vec![community.to_string()]
            },
            cc: if public {
                vec![community.to_string()]
            } else {
                Vec::new()
            },
            audience: Some(community.to_string()),
            in_reply_to: Some(in_reply_to.to_string()),
            content: Some(comment.body_html.clone()),
            media_type: Some("text/html".into()),
            source: comment.body_source.as_deref().map(Source::markdown),
            context: Some(context_of(post)),
            published: Some(at(comment.published_at)),
            updated: comment.edited_at.map(at),
            language: comment.language.as_deref().map(language),
            ..ObjectFields::default()
        },
        distinguished: None,
    }))
}
