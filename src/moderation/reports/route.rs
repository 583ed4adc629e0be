//! Who handles a new report, and telling them: the moderators of its community, or the
//! instance's admins.

use chrono::NaiveDateTime;

use super::target::Described;
use crate::accounts::notify;
use crate::db::{DbConnection, communities, memberships, users};
use crate::discussions::views::Here;
use crate::error::Result;
use crate::i18n::Message;

/// The notification kind moderators and admins get for a new report.
pub const NOTIFICATION_KIND: &str = "report";

/// Notifies whoever handles report `id` (in community `community_id`, or the instance).
pub(super) fn tell_handlers(
    c: &mut DbConnection,
    here: &Here,
    id: i64,
    community_id: Option<i64>,
    target: &Described,
    now: NaiveDateTime,
) -> Result<()> {
    // What the report is about, put into words when read: a members-only target is
    // not named in a notification.
    let (what, label) = match (&target.label, target.restricted) {
        (_, true) => (format!("report-about-{}-private", target.kind), None),
        (Some(label), false) => (format!("report-about-{}-named", target.kind), Some(label)),
        (None, false) => (format!("report-about-{}", target.kind), None),
    };
    let community = community_id
        .map(|id| communities::find(c, id))
        .transpose()?
        .flatten();
    let (handlers, message, community_ap_id) = match &community {
        Some(community) => (
            memberships::moderator_ids(c, community.id)?,
            Message::new("notice-report-community")
                .arg("community", format!("!{}", community.name)),
            Some(here.urls.community(&community.name)),
        ),
        None => (
            users::admin_ids(c)?,
            Message::new("notice-report-instance"),
            None,
        ),
    };
    let mut message = message.arg("id", id.to_string()).part("what", &what);
    if let Some(label) = label {
        message = message.arg("label", label.clone());
    }
    for user_id in handlers {
        notify(
            c,
            user_id,
            NOTIFICATION_KIND,
            community_ap_id.as_deref(),
            &message,
            now,
        )?;
    }
    Ok(())
}
