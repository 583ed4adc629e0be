//! Who members-only content goes to: the servers hosting a member of its audience, each
//! sent a copy naming its own readers.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::db::{DbConnection, comments, memberships, posts, spaces};
use crate::error::Result;
use crate::federation::activities::ids::new_activity_id;
use crate::federation::delivery;
use crate::federation::protocol::activities::{Announce, ObjectRef};
use crate::federation::protocol::outgoing::to_json;
use crate::federation::publish::Reach;
use crate::federation::urls::Urls;
use crate::membership::spaces::audience_memberships;

/// The audience of the post or comment with this id, if it is stored here.
pub fn reach_of_object(c: &mut DbConnection, ap_id: &str) -> Result<Reach> {
    if let Some(post) = posts::find_by_ap_id(c, ap_id)? {
        return Ok(Reach::of_post(&post));
    }
    if let Some(comment) = comments::find_by_ap_id(c, ap_id)?
        && let Some(post) = posts::find(c, comment.post_id)?
    {
        return Ok(Reach::of_post(&post));
    }
    Ok(Reach::Everyone)
}

/// The members collection of a community.
pub fn members_collection(community_ap_id: &str) -> String {
    format!("{community_ap_id}/members")
}

/// Queues `activity` for the remote members of the audience of `space` (all members when
/// `space` is None or open to all members), one copy per destination inbox.
pub fn announce(
    c: &mut DbConnection,
    urls: &Urls,
    community_id: i64,
    community_ap_id: &str,
    space: Option<i64>,
    activity: &Value,
) -> Result<()> {
    // Not kept for fetching at its id: `/activities/…` is public, this is not.
    let audience = match space {
        Some(id) => match spaces::find(c, id)? {
            Some(space) => audience_memberships(c, &space)?,
            // A space that is gone: only its moderators remain sure readers.
            None => Some(memberships::moderator_membership_ids(c, community_id)?),
        },
        None => None,
    };
    // Content private only because the community is: its followers are its members (a
    // follow needs approval there), and Lemmy 1.0 expects such content addressed to them.
    let whole_community = audience.is_none();
    let members = memberships::remote_members(c, community_id, audience.as_deref())?;
    let mut by_inbox: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (ap_id, inbox, shared) in members {
        by_inbox
            .entry(shared.unwrap_or(inbox))
            .or_default()
            .push(ap_id);
    }
    // A server that refuses whatever is not public (Lemmy before 1.0) is not sent it.
    let inboxes: Vec<String> = by_inbox.keys().cloned().collect();
    let families = crate::federation::peers::families(c, &inboxes)?;
    by_inbox.retain(|inbox, _| {
        families
            .get(inbox)
            .is_none_or(|f| f.takes_private_content())
    });
    // The community itself is named first: Lemmy 1.0 places content in a community only
    // through its addressing, and answers 404 to what names none.
    let members_url = members_collection(community_ap_id);
    let mut to = vec![community_ap_id.to_string(), members_url];
    if whole_community {
        to.push(format!("{community_ap_id}/followers"));
    }
    let announce_id = new_activity_id(urls, "announce");
    for (inbox, recipients) in by_inbox {
        // The activity may be one received from elsewhere, of any kind: it is re-addressed
        // as it stands, not rebuilt.
        let mut inner = activity.clone();
        if let Some(map) = inner.as_object_mut() {
            map.remove("@context");
            map.insert("to".into(), Value::from(to.clone()));
            map.insert("cc".into(), Value::from(recipients.clone()));
            if let Some(object) = map.get_mut("object").and_then(Value::as_object_mut) {
                object.insert("to".into(), Value::from(to.clone()));
                object.insert("cc".into(), Value::from(recipients.clone()));
            }
        }
        let wrapped = Announce {
            to: to.clone(),
            cc: recipients,
            ..Announce::new(
                announce_id.as_str(),
                community_ap_id,
                ObjectRef::Embedded(inner),
            )
        };
        delivery::enqueue(
            c,
            &to_json(&wrapped)?,
            community_ap_id,
            std::slice::from_ref(&inbox),
        )?;
    }
    Ok(())
}
