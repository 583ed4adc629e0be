//! Publishing what happened in a community, in the transaction that made it happen.
//!
//! In a local community the community itself announces each activity to its followers
//! (FEP-1b12): one delivery per follower server, signed by the community, in the shapes
//! that server takes ([`super::peers`]). A new post is also announced as a bare object to
//! the servers that show posts that way (an `Article` to microblogging servers, a `Page` to
//! servers of unknown software); comments are not, so a busy thread does not flood them. In a remote community the
//! activity goes to that community's inbox, signed by its author, and comes back to
//! everyone (this server included) in the community's `Announce`.

use serde_json::Value;

use super::activities::ids::new_activity_id;
use super::delivery;
use super::objects::PUBLIC;
use super::peers::{self, Family};
use super::protocol::activities::{Announce, ObjectRef};
use super::protocol::outgoing::to_json;
use super::urls::Urls;
use crate::db::DbConnection;
use crate::db::follows;
use crate::error::Result;

pub use crate::communities::{Reach, Venue};

pub use super::protocol::AS_CONTEXT;

/// Queues `activity` (by `author`) for everyone who should receive it; `page` is the post's
/// `Page` when the activity creates a post. Call inside the transaction of the change.
pub fn publish(
    conn: &mut DbConnection,
    urls: &Urls,
    venue: &Venue,
    reach: Reach,
    author: &str,
    activity: &Value,
    page: Option<&Value>,
) -> Result<()> {
    match venue {
        Venue::Local { id, ap_id } => {
            // Members-only activities are not served at their ids: that address is public.
            if reach == Reach::Everyone {
                keep(conn, activity)?;
            }
            announce(conn, urls, *id, ap_id, reach, activity, page)
        }
        Venue::Remote(community) => {
            if reach == Reach::Everyone {
                keep(conn, activity)?;
            }
            delivery::enqueue(
                conn,
                activity,
                author,
                std::slice::from_ref(&community.inbox),
            )?;
            Ok(())
        }
    }
}

/// The local community `community_id` (`community`) announces `activity`, made here or
/// received, to those it is for: every follower server, with the bare `page` of a new public
/// post; or, for members-only content, the servers hosting its audience.
pub fn announce(
    conn: &mut DbConnection,
    urls: &Urls,
    community_id: i64,
    community: &str,
    reach: Reach,
    activity: &Value,
    page: Option<&Value>,
) -> Result<()> {
    match reach {
        Reach::Everyone => {
            // Each follower server gets the shapes it takes (see `peers`): the announced
            // activity, and for a new post the bare object as it shows posts.
            let inboxes = follows::remote_follower_inboxes(conn, community_id)?;
            let families = peers::families(conn, &inboxes)?;
            let family = |inbox: &String| families.get(inbox).copied().unwrap_or(Family::Unknown);
            let takes_activity: Vec<String> = inboxes
                .iter()
                .filter(|i| family(i).takes_announced_activities())
                .cloned()
                .collect();
            announce_to(conn, urls, community, activity, &takes_activity)?;
            if let Some(page) = page {
                for kind in ["Page", "Article"] {
                    let shown: Vec<String> = inboxes
                        .iter()
                        .filter(|i| family(i).bare_post_type() == Some(kind))
                        .cloned()
                        .collect();
                    let mut object = page.clone();
                    object["type"] = Value::from(kind);
                    announce_to(conn, urls, community, &object, &shown)?;
                }
            }
            Ok(())
        }
        Reach::Members(space) => {
            super::restricted::announce(conn, urls, community_id, community, space, activity)
        }
    }
}

/// The community `community` announces `object` to `inboxes`.
pub fn announce_to(
    conn: &mut DbConnection,
    urls: &Urls,
    community: &str,
    object: &Value,
    inboxes: &[String],
) -> Result<()> {
    if inboxes.is_empty() {
        return Ok(());
    }
    let mut inner = object.clone();
    if let Some(map) = inner.as_object_mut() {
        map.remove("@context");
    }
    let announce = Announce {
        to: vec![PUBLIC.to_string()],
        cc: vec![format!("{community}/followers")],
        ..Announce::new(
            new_activity_id(urls, "announce"),
            community,
            ObjectRef::Embedded(inner),
        )
    };
    delivery::enqueue(conn, &to_json(&announce)?, community, inboxes)?;
    Ok(())
}

/// Stores a published activity so it can be fetched at its id.
pub(crate) fn keep(conn: &mut DbConnection, activity: &Value) -> Result<()> {
    if let Some(id) = activity.get("id").and_then(Value::as_str) {
        let body = serde_json::to_string(activity).map_err(crate::error::Error::internal)?;
        crate::db::sent::store(conn, id, &body)?;
    }
    Ok(())
}
