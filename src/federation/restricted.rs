//! Delivering content that is not for everyone: posts in members-only spaces and in private
//! communities, and everything said under them.
//!
//! Such an activity is never addressed to the public. The community announces it to its
//! members collection, and only to the servers that host a member of the audience; each of
//! those servers gets a copy that also names, in `cc`, its own members who may read it, so
//! it can show the post to them and to nobody else. A server hosting no member of the
//! audience receives nothing.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::activities::ids::new_activity_id;
use super::delivery;
use super::publish::{AS_CONTEXT, Reach};
use super::urls::Urls;
use crate::db::posts::PostRow;
use crate::db::{DbConnection, comments, memberships, posts, spaces};
use crate::error::Result;
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
    let members_url = members_collection(community_ap_id);
    let to = if whole_community {
        json!([members_url, format!("{community_ap_id}/followers")])
    } else {
        json!([members_url])
    };
    let announce_id = new_activity_id(urls, "announce");
    for (inbox, recipients) in by_inbox {
        let mut inner = activity.clone();
        if let Some(map) = inner.as_object_mut() {
            map.remove("@context");
            map.insert("to".into(), to.clone());
            map.insert("cc".into(), json!(recipients));
            if let Some(object) = map.get_mut("object").and_then(Value::as_object_mut) {
                object.insert("to".into(), to.clone());
                object.insert("cc".into(), json!(recipients));
            }
        }
        let wrapped = json!({
            "@context": AS_CONTEXT,
            "id": announce_id,
            "type": "Announce",
            "actor": community_ap_id,
            "to": to,
            "cc": recipients,
            "object": inner,
        });
        delivery::enqueue(c, &wrapped, community_ap_id, std::slice::from_ref(&inbox))?;
    }
    Ok(())
}

/// Whether an incoming object or activity is addressed to the public.
pub fn is_public(values: &[&Value]) -> bool {
    values.iter().any(|v| {
        ["to", "cc"].iter().any(|field| {
            addressees(v.get(*field)).iter().any(|a| {
                a == crate::federation::protocol::PUBLIC || a == "as:Public" || a == "Public"
            })
        })
    })
}

/// The ids in a `to`/`cc` field (a string or a list).
pub fn addressees(field: Option<&Value>) -> Vec<String> {
    match field {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the server `domain` may fetch the restricted post `post`: it must host a member
/// of the post's audience (for a post of a community elsewhere, it must be that community's
/// server).
pub fn server_may_read(c: &mut DbConnection, post: &PostRow, domain: &str) -> Result<bool> {
    let Some(community_id) = post.community_id else {
        let community = match post.remote_community_id {
            Some(id) => crate::db::remote_actors::find(c, id)?,
            None => None,
        };
        return Ok(community.is_some_and(|a| a.domain == domain));
    };
    let audience = match post.space_id {
        Some(id) => match spaces::find(c, id)? {
            Some(space) => audience_memberships(c, &space)?,
            None => Some(memberships::moderator_membership_ids(c, community_id)?),
        },
        None => None,
    };
    let members = memberships::remote_members(c, community_id, audience.as_deref())?;
    Ok(members.iter().any(|(ap_id, _, _)| {
        url::Url::parse(ap_id).is_ok_and(|u| super::protocol::envelope::authority(&u) == domain)
    }))
}

/// Lets a fetch of the restricted post `post` through only when it is signed by an actor of
/// a server that may read it; anyone else is told there is no such object.
pub async fn check_fetch(
    app: &crate::app::App,
    method: &http::Method,
    path_and_query: &str,
    headers: &http::HeaderMap,
    post: PostRow,
) -> Result<()> {
    if !post.restricted {
        return Ok(());
    }
    let not_found =
        || crate::error::Error::new(crate::error::ErrorCode::NotFound, "no such object");
    let Ok(signer) =
        super::authorized_fetch::verify_get(app, method, path_and_query, headers).await
    else {
        return Err(not_found());
    };
    let domain = signer.domain.clone();
    let allowed = app
        .db
        .run(move |c| server_may_read(c, &post, &domain))
        .await?;
    if allowed { Ok(()) } else { Err(not_found()) }
}
