//! Leaving and reporting: the `Delete` of a person to every server that knows them, and a
//! report forwarded as a `Flag` from the instance.

use crate::db::{DbConnection, users};
use crate::error::{Error, Result};
use crate::federation::activities::flag::flag_activity;
use crate::federation::activities::person::delete_activity;
use crate::federation::actors;
use crate::federation::delivery;
use crate::federation::objects::PUBLIC;
use crate::federation::protocol::activities::{ObjectRef, Update};
use crate::federation::protocol::outgoing::to_json;
use crate::federation::publish::AS_CONTEXT;
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

/// A local person changed their profile: an `Update` of the person, carrying the actor as
/// it is now served, to every server that knows them (Mastodon and Lemmy both take the
/// embedded actor from the person's own server and refresh their copy).
pub(super) fn profile_updated(
    c: &mut DbConnection,
    urls: &Urls,
    username: &str,
    inboxes: &[String],
) -> Result<()> {
    let Some(user) = users::find_by_username(c, username)? else {
        return Ok(());
    };
    // A person without a key pair has never spoken to another server: none knows them.
    let Some((public_pem, _)) = users::key_pair(c, user.id)? else {
        return Ok(());
    };
    let mut person = actors::person(urls, &user, public_pem);
    person.attachment = actors::credential_fields_in(c, urls.host(), user.id)?;
    let person = serde_json::to_value(person).map_err(Error::internal)?;
    let id = urls.person(username);
    let update = Update {
        // The actor's own context, so that its extension terms are defined.
        context: Some(
            person
                .get("@context")
                .cloned()
                .unwrap_or_else(|| AS_CONTEXT.into()),
        ),
        to: vec![PUBLIC.to_string()],
        cc: vec![format!("{id}/followers")],
        ..Update::new(
            urls.new_activity_id("update"),
            id.as_str(),
            ObjectRef::Embedded(person),
        )
    };
    delivery::enqueue(c, &to_json(&update)?, &id, inboxes)?;
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
