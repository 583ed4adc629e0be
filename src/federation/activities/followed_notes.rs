//! A followed person's status: a public `Note` that names no community and answers
//! nothing held here (what a Mastodon user posts to their followers), kept for the home
//! feeds of those here who follow them.

use crate::app::App;
use crate::db::received;
use crate::error::Result;
use crate::federation::activities::content::Incoming;
use crate::federation::protocol::objects::ObjectFields;
use crate::follows::notes::{self, ReceivedNote};

/// What of the note was already read by the caller: its sanitized HTML and language.
pub struct Read {
    pub html: String,
    pub language: Option<String>,
    pub published: chrono::NaiveDateTime,
    pub is_update: bool,
}

pub async fn receive(app: &App, incoming: Incoming, o: &ObjectFields, read: Read) -> Result<()> {
    // The page on its server, where a reader can reply; only http(s).
    let url = o
        .url
        .iter()
        .map(|l| l.href.clone())
        .find(|u| u.starts_with("https://") || u.starts_with("http://"));
    let content_warning = o
        .summary
        .as_deref()
        .map(|s| {
            crate::content::plain_text(s)
                .trim()
                .chars()
                .take(200)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty());
    let note = ReceivedNote {
        ap_id: o.id.clone(),
        author: incoming.actor.id,
        html: read.html,
        url,
        sensitive: o.sensitive.unwrap_or(false) || content_warning.is_some(),
        content_warning,
        language: read.language,
        published: read.published,
    };
    let id = incoming.id.clone();
    let is_update = read.is_update;
    app.db
        .transaction(move |c| {
            if received::record(c, &id, crate::time::now())? {
                notes::receive(c, note, is_update)?;
            }
            Ok(())
        })
        .await
}
