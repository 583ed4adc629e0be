//! `Warn`: a moderator of a remote community warns a person of this server about what
//! they wrote there (Lemmy 1.0). The person is told, with the reason; nothing else changes.
//!
//! Believed only from a moderator of a community copse knows, on that community's own
//! server: anyone else could otherwise send people here "warnings" in any community's name.

use crate::accounts::notify;
use crate::app::App;
use crate::content;
use crate::db::remote_actors::CachedActor;
use crate::db::{received, remote_actors, users};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::activities::{Warn, parse};
use crate::federation::protocol::envelope::Envelope;
use crate::federation::urls::Urls;
use crate::i18n::Message;

/// Longest reason shown.
const MAX_REASON: usize = 500;

pub async fn receive(app: &App, env: &Envelope, moderator: &CachedActor) -> Result<()> {
    let warn = parse::<Warn>(&env.json).map_err(|e| {
        Error::new(
            ErrorCode::ActivityInvalid,
            format!("the Warn cannot be read: {e}"),
        )
    })?;
    let people = format!("{}/u/", Urls::new(&app.config).base());
    let warned: Vec<String> = warn
        .to
        .iter()
        .filter_map(|a| a.strip_prefix(&people))
        .map(str::to_string)
        .collect();
    let reason = warn
        .summary
        .as_deref()
        .map(|s| {
            content::plain_text(s)
                .trim()
                .chars()
                .take(MAX_REASON)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty());
    let about = warn.object.id().unwrap_or_default().to_string();
    let community = warn.audience.clone();
    let domain = moderator.domain.clone();
    let id = env.id.to_string();
    app.db
        .transaction(move |c| {
            if !received::record(c, &id, crate::time::now())? {
                return Ok(());
            }
            let Some(community) = community else {
                return Ok(());
            };
            let group = remote_actors::find_by_ap_id(c, &community)?;
            if !group.is_some_and(|g| g.is_group() && g.domain == domain) {
                tracing::debug!(community, "a warning from outside its community; ignored");
                return Ok(());
            }
            let message = match &reason {
                Some(reason) => Message::new("notice-warning-reason").arg("reason", reason.clone()),
                None => Message::new("notice-warning"),
            }
            .arg("community", community.clone())
            .arg("about", about.clone());
            let now = crate::time::now();
            for name in &warned {
                if let Some(user) = users::find_by_username(c, name)? {
                    notify(c, user.id, "warning", Some(&community), &message, now)?;
                }
            }
            Ok(())
        })
        .await
}
