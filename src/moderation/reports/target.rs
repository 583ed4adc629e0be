//! What a stored report is about, described for the people who handle it: the kind, the
//! ids, a label (title or handle) and a snippet of the text.

use serde::Serialize;

use crate::db::reports::ReportRow;
use crate::db::{DbConnection, comments, posts};
use crate::discussions::Author;
use crate::discussions::views::{self, Here};
use crate::error::Result;

/// Characters of a post's or comment's text shown beside a report.
const SNIPPET_CHARS: usize = 280;

/// The reported thing as moderators see it.
#[derive(Debug, Clone, Serialize)]
pub struct Described {
    /// `post`, `comment`, `person`, or `gone` when it was purged since.
    pub kind: &'static str,
    /// The local id of a post or comment (for the API's other endpoints).
    pub id: Option<i64>,
    pub ap_id: Option<String>,
    /// A post's title or a person's handle.
    pub label: Option<String>,
    /// The beginning of the text.
    pub snippet: Option<String>,
    /// The author of the content, or the reported person.
    pub person: Option<Author>,
    /// Not for everyone: its title stays out of the public moderation log.
    #[serde(skip)]
    pub restricted: bool,
}

impl Described {
    /// What the public moderation log may say about it.
    pub fn public_label(&self) -> Option<String> {
        if self.restricted {
            return Some(format!("a members-only {}", self.kind));
        }
        self.label.clone()
    }
}

/// The report's target, from the ids it keeps. A report to the instance that names a
/// person (Mastodon's, listing their posts beside them) is about the person; otherwise it
/// is about the content it names.
pub fn describe(c: &mut DbConnection, here: &Here, row: &ReportRow) -> Result<Described> {
    let reported_person = views::author(c, here, row.person_user_id, row.person_remote_id)?;
    let content = content(c, here, row)?;
    match (content, reported_person) {
        (Some(content), Some(person)) if row.community_id.is_none() => Ok(Described {
            kind: "person",
            id: None,
            ap_id: Some(person.actor_id.clone()),
            label: Some(person.handle.clone()),
            snippet: content.snippet,
            person: Some(person),
            restricted: false,
        }),
        (Some(mut content), person) => {
            content.person = content.person.or(person);
            Ok(content)
        }
        (None, Some(person)) => Ok(Described {
            kind: "person",
            id: None,
            ap_id: Some(person.actor_id.clone()),
            label: Some(person.handle.clone()),
            snippet: None,
            person: Some(person),
            restricted: false,
        }),
        (None, None) => {
            let named: Vec<String> = serde_json::from_str(&row.object_ap_ids).unwrap_or_default();
            Ok(Described {
                kind: "gone",
                id: None,
                ap_id: named.into_iter().next(),
                label: None,
                snippet: None,
                person: None,
                restricted: false,
            })
        }
    }
}

/// The comment or post the report names, if it still exists.
fn content(c: &mut DbConnection, here: &Here, row: &ReportRow) -> Result<Option<Described>> {
    if let Some(comment) = row
        .comment_id
        .map(|id| comments::find(c, id))
        .transpose()?
        .flatten()
    {
        let post = posts::find(c, comment.post_id)?;
        let author = views::author(c, here, comment.author_user_id, comment.author_remote_id)?;
        return Ok(Some(Described {
            kind: "comment",
            id: Some(comment.id),
            ap_id: Some(comment.ap_id),
            label: post.as_ref().map(|p| p.title.clone()),
            snippet: Some(snippet(&crate::content::plain_text(&comment.body_html))),
            person: author,
            restricted: post.is_some_and(|p| p.restricted),
        }));
    }
    let Some(post) = row
        .post_id
        .map(|id| posts::find(c, id))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let author = views::author(c, here, post.author_user_id, post.author_remote_id)?;
    let text = post
        .body_html
        .as_deref()
        .map(crate::content::plain_text)
        .unwrap_or_default();
    Ok(Some(Described {
        kind: "post",
        id: Some(post.id),
        ap_id: Some(post.ap_id),
        label: Some(post.title),
        snippet: (!text.trim().is_empty()).then(|| snippet(&text)),
        person: author,
        restricted: post.restricted,
    }))
}

fn snippet(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= SNIPPET_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(SNIPPET_CHARS).collect();
    cut.push('…');
    cut
}

/// How the moderation log names report `id`: its number and what it is about, without a
/// members-only title.
pub fn log_label(id: i64, target: &Described) -> String {
    match (&target.label, target.restricted) {
        (_, true) => format!("report #{id} about a members-only {}", target.kind),
        (Some(label), false) => format!("report #{id} about {} “{label}”", target.kind),
        (None, false) => format!("report #{id} about a {}", target.kind),
    }
}
