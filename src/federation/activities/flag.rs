//! `Flag`: reports between servers.
//!
//! Received, a Flag is read in every shape the fediverse sends: Lemmy's (one post, the
//! reason in `summary`, addressed to the community), Mastodon's (from its instance actor,
//! the person and their posts in `object`, the comment in `content`, addressed to the
//! person) and mbin's (both fields). The text is reduced to plain text and cut to length;
//! the domain ([`crate::moderation::reports::incoming`]) decides what it is about.
//!
//! Sent, a forwarded report carries the reason in both `content` and `summary`, so Lemmy
//! and Mastodon each find it, and comes from the instance actor, never naming the reporter.

use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::activities::{self, Activity, Addressing, Flag, ObjectRef};
use crate::federation::protocol::envelope::Envelope;
use crate::moderation::reports::{self, FlagReport, MAX_REASON_CHARS};

/// A `Flag` of `objects` by the instance actor `actor`, addressed to `to`.
pub fn flag_activity(id: &str, actor: &str, objects: &[String], reason: &str, to: &str) -> Flag {
    let objects = objects.iter().cloned().map(ObjectRef::Id).collect();
    Flag {
        content: Some(reason.to_string()),
        summary: Some(reason.to_string()),
        ..Flag::new(id, actor, ObjectRef::Many(objects))
    }
    .addressed(Addressing::to(&[to]))
}

/// Files the report a received Flag makes, if it names anything held here.
pub async fn receive(app: &App, env: &Envelope, actor: &CachedActor) -> Result<()> {
    let flag: Flag = activities::parse(&env.json).map_err(|e| {
        Error::new(
            ErrorCode::ActivityInvalid,
            format!("the Flag cannot be read: {e}"),
        )
    })?;
    let report = FlagReport {
        activity_id: env.id.to_string(),
        reporter: actor.clone(),
        objects: flag.object.ids().into_iter().map(str::to_string).collect(),
        recipients: flag.recipients().into_iter().map(str::to_string).collect(),
        reason: reason_of(&flag),
    };
    if let Some(id) = reports::incoming::receive(app, report).await? {
        tracing::info!(report = id, flag = %env.id, "report received from another server");
    }
    Ok(())
}

/// The reporter's text: Mastodon's `content`, else Lemmy's `summary`, as plain text.
fn reason_of(flag: &Flag) -> String {
    let text = [flag.content.as_deref(), flag.summary.as_deref()]
        .into_iter()
        .flatten()
        .map(|t| crate::content::plain_text(t).trim().to_string())
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    text.chars().take(MAX_REASON_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn flag(doc: Value) -> Flag {
        activities::parse(&doc).unwrap()
    }

    #[test]
    fn the_reason_is_content_then_summary_as_plain_text_and_cut() {
        let base = json!({"id":"https://a.example/f/1","type":"Flag",
            "actor":"https://a.example/actor","object":"https://b.example/post/1"});
        let mut doc = base.clone();
        doc["content"] = json!("<p>spam &amp; <b>ads</b></p>");
        doc["summary"] = json!("ignored");
        assert_eq!(reason_of(&flag(doc)), "spam & ads");
        let mut doc = base.clone();
        doc["summary"] = json!("report this post");
        assert_eq!(reason_of(&flag(doc)), "report this post");
        let mut doc = base;
        doc["content"] = json!("x".repeat(5_000));
        assert_eq!(reason_of(&flag(doc)).chars().count(), MAX_REASON_CHARS);
    }

    #[test]
    fn a_sent_flag_names_no_reporter_and_carries_the_reason_twice() {
        let objects = [
            "https://b.example/u/bob".to_string(),
            "https://b.example/post/3".into(),
        ];
        let doc = flag_activity(
            "https://a.example/activities/flag/1",
            "https://a.example/actor",
            &objects,
            "spam",
            "https://b.example/u/bob",
        );
        let read = flag(serde_json::to_value(&doc).unwrap());
        assert_eq!(
            read.object.ids(),
            ["https://b.example/u/bob", "https://b.example/post/3"]
        );
        assert_eq!(read.content.as_deref(), Some("spam"));
        assert_eq!(read.summary.as_deref(), Some("spam"));
        assert_eq!(read.actor_id(), "https://a.example/actor");
    }
}
