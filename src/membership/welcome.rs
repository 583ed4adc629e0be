//! Greeting new members: the moderators' welcome message, and a notification.

use chrono::NaiveDateTime;

use crate::accounts::notify;
use crate::communities::Community;
use crate::db::memberships::MembershipRow;
use crate::db::{DbConnection, remote_actors};
use crate::error::Result;
use crate::events::{Event, Recorder};
use crate::federation::urls::Urls;
use crate::i18n::Message;

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
    events: &mut Recorder,
    urls: &Urls,
    community: &Community,
    member: &MembershipRow,
    now: NaiveDateTime,
) -> Result<()> {
    let community_ap_id = urls.community(&community.name);
    let welcome = community.welcome_message.as_deref().map(str::trim);
    if let Some(user_id) = member.user_id {
        let message = match welcome {
            Some(w) => Message::new("notice-welcome").arg("text", w),
            None => Message::new("notice-welcome-plain"),
        }
        .arg("community", format!("!{}", community.name));
        notify(c, user_id, "welcome", Some(&community_ap_id), &message, now)?;
        return Ok(());
    }
    let (Some(text), Some(remote_id)) = (welcome, member.remote_actor_id) else {
        return Ok(());
    };
    let Some(actor) = remote_actors::find(c, remote_id)? else {
        return Ok(());
    };
    let event = Event::Welcomed {
        community: community_ap_id,
        member: actor.ap_id,
        inbox: actor.inbox,
        text: text.to_string(),
    };
    events.record(c, event)
}
