//! Telling other servers about a community's membership: its actor after a settings change
//! (`Update` of the `Group`), and its moderators (`Add`/`Remove` on the moderators
//! collection, as Lemmy sends them, announced by the community).

use serde_json::json;

use super::activities::ids::new_activity_id;
use super::publish::{AS_CONTEXT, announce_to};
use super::urls::Urls;
use crate::app::App;
use crate::communities::{Community, CommunityDetails};
use crate::db::memberships::MembershipRow;
use crate::db::{DbConnection, follows, remote_actors, users};
use crate::error::{Error, Result};

/// Sends the community's actor, as it now is, to the servers that follow it, so that a
/// change of name, rules or approval (`manuallyApprovesFollowers`) shows there.
pub async fn announce_group_update(app: &App, details: &CommunityDetails) -> Result<()> {
    let urls = Urls::new(&app.config);
    let group =
        serde_json::to_value(super::actors::group(&urls, details)).map_err(Error::internal)?;
    let community_ap_id = urls.community(&details.community.name);
    let community_id = details.community.id;
    let update = json!({
        "@context": group.get("@context").cloned().unwrap_or(json!(AS_CONTEXT)),
        "id": new_activity_id(&urls, "update"),
        "type": "Update",
        "actor": community_ap_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{community_ap_id}/followers")],
        "object": group,
    });
    app.db
        .transaction(move |c| {
            let inboxes = follows::remote_follower_inboxes(c, community_id)?;
            super::delivery::enqueue(c, &update, &community_ap_id, &inboxes)?;
            Ok(())
        })
        .await?;
    super::delivery::wake(app);
    Ok(())
}

/// `Add` (or `Remove`) of a member to the moderators collection, by `by`, announced by the
/// community to its followers.
pub fn publish_moderator_change(
    c: &mut DbConnection,
    urls: &Urls,
    community: &Community,
    by: &str,
    member: &MembershipRow,
    added: bool,
) -> Result<()> {
    let community_ap_id = urls.community(&community.name);
    let object = match (member.user_id, member.remote_actor_id) {
        (Some(id), _) => users::find(c, id)?.map(|u| urls.person(&u.username)),
        (_, Some(id)) => remote_actors::find(c, id)?.map(|a| a.ap_id),
        _ => None,
    }
    .ok_or_else(|| Error::internal("a moderator with no actor"))?;
    let activity = json!({
        "@context": AS_CONTEXT,
        "id": new_activity_id(urls, if added { "add" } else { "remove" }),
        "type": if added { "Add" } else { "Remove" },
        "actor": by,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [community_ap_id],
        "audience": community_ap_id,
        "object": object,
        "target": format!("{community_ap_id}/moderators"),
    });
    let inboxes = follows::remote_follower_inboxes(c, community.id)?;
    announce_to(c, urls, &community_ap_id, &activity, &inboxes)
}
