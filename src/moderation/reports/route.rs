//! Who handles a new report, and telling them: the moderators of its community, or the
//! instance's admins.

use chrono::NaiveDateTime;

use super::target::Described;
use crate::db::{DbConnection, communities, memberships, notifications, users};
use crate::discussions::views::Here;
use crate::error::Result;

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
    let about = match (&target.label, target.restricted) {
        (_, true) => format!("a members-only {}", target.kind),
        (Some(label), false) => format!("{} “{label}”", target.kind),
        (None, false) => target.kind.to_string(),
    };
    let community = community_id
        .map(|id| communities::find(c, id))
        .transpose()?
        .flatten();
    let (handlers, message, community_ap_id) = match &community {
        Some(community) => (
            memberships::moderator_ids(c, community.id)?,
            format!("New report #{id} in !{} about {about}", community.name),
            Some(here.urls.community(&community.name)),
        ),
        None => (
            users::admin_ids(c)?,
            format!("New report #{id} to the instance about {about}"),
            None,
        ),
    };
    for user_id in handlers {
        notifications::insert(
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
