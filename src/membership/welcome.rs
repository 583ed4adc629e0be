//! Greeting new members: the moderators' welcome message, and a notification.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::communities::Community;
use crate::db::memberships::MembershipRow;
use crate::db::{DbConnection, notifications, remote_actors};
use crate::error::Result;
use crate::federation::activities::ids::new_activity_id;
use crate::federation::delivery;
use crate::federation::urls::Urls;

/// Members who joined within this many days are shown as newcomers.
pub const NEWCOMER_DAYS: i64 = 30;

/// Whether a member who joined at `joined_at` is still a newcomer at `now`.
pub fn is_newcomer(joined_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    joined_at.is_some_and(|t| now - t < chrono::TimeDelta::days(NEWCOMER_DAYS))
}

/// Tells a new member they are in, with the welcome message if the community has one: a
/// notification for a local person, a direct `Note` from the community for a remote one.
pub fn greet(
    c: &mut DbConnection,
    urls: &Urls,
    community: &Community,
    member: &MembershipRow,
    now: NaiveDateTime,
) -> Result<()> {
    let community_ap_id = urls.community(&community.name);
    let welcome = community.welcome_message.as_deref().map(str::trim);
    if let Some(user_id) = member.user_id {
        let message = match welcome {
            Some(w) => format!("Welcome to !{}: {w}", community.name),
            None => format!("You are now a member of !{}", community.name),
        };
        notifications::insert(c, user_id, "welcome", Some(&community_ap_id), &message, now)?;
        return Ok(());
    }
    let (Some(text), Some(remote_id)) = (welcome, member.remote_actor_id) else {
        return Ok(());
    };
    let Some(actor) = remote_actors::find(c, remote_id)? else {
        return Ok(());
    };
    let note_id = new_activity_id(urls, "welcome");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": new_activity_id(urls, "create"),
        "type": "Create",
        "actor": community_ap_id,
        "to": [actor.ap_id],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": community_ap_id,
            "to": [actor.ap_id],
            "content": crate::content::render_markdown(text),
            "mediaType": "text/html",
            "source": {"content": text, "mediaType": "text/markdown"},
            "tag": [{"type": "Mention", "href": actor.ap_id}],
            "published": crate::time::rfc3339_micros(now),
        },
    });
    delivery::enqueue(
        c,
        &create,
        &community_ap_id,
        std::slice::from_ref(&actor.inbox),
    )?;
    Ok(())
}
