//! Leaving and reporting: the `Delete` of a person to every server that knows them, and a
//! report forwarded as a `Flag` from the instance.

use crate::db::DbConnection;
use crate::error::Result;
use crate::federation::activities::flag::flag_activity;
use crate::federation::activities::person::delete_activity;
use crate::federation::delivery;
use crate::federation::protocol::outgoing::to_json;
use crate::federation::urls::Urls;

pub(super) fn account_deleted(
    c: &mut DbConnection,
    urls: &Urls,
    person: &str,
    inboxes: &[String],
) -> Result<()> {
    let delete = delete_activity(&urls.new_activity_id("delete"), person);
    delivery::enqueue(c, &to_json(&delete)?, person, inboxes)?;
    Ok(())
}

/// What a forwarded report says, and where it goes.
pub(super) struct Forwarded<'a> {
    pub flag: &'a str,
    pub sender: &'a str,
    pub objects: &'a [String],
    pub reason: &'a str,
    pub to: &'a str,
    pub inbox: &'a str,
}

pub(super) fn report_forwarded(c: &mut DbConnection, f: &Forwarded<'_>) -> Result<()> {
    let activity = flag_activity(f.flag, f.sender, f.objects, f.reason, f.to);
    delivery::enqueue(c, &to_json(&activity)?, f.sender, &[f.inbox.to_string()])?;
    Ok(())
}
