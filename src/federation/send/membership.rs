//! Belonging, on the wire: `Join` and `Leave` of a remote community, a community's `Accept`
//! or `Reject` of a request, Mobilizon's `Invite`, a welcome as a direct `Note`, moderator
//! changes as `Add`/`Remove` on the moderators collection (as Lemmy sends them, announced
//! by the community), and the community's actor after a settings change (`Update` of the
//! `Group`).

use serde_json::json;

use crate::db::{DbConnection, follows};
use crate::error::{Error, Result};
use crate::events::MembershipAnswer;
use crate::federation::activities::membership::{
    answer_activity, invite_activity, join_activity, leave_activity, request_activity,
};
use crate::federation::delivery;
use crate::federation::objects::PUBLIC;
use crate::federation::publish::{AS_CONTEXT, announce_to};
use crate::federation::urls::Urls;
use crate::membership::Answer;

/// Where the `Join` goes, and what it says.
pub(super) struct JoinSent<'a> {
    pub member: &'a str,
    pub community: &'a str,
    pub inbox: &'a str,
    pub activity: &'a str,
    pub answers: &'a [Answer],
    pub rules_accepted: bool,
    pub invite: Option<&'a str>,
}

pub(super) fn join_sent(c: &mut DbConnection, j: &JoinSent<'_>) -> Result<()> {
    let join = join_activity(
        j.activity,
        j.member,
        j.community,
        j.answers,
        j.rules_accepted,
        j.invite,
    );
    delivery::enqueue(c, &join, j.member, &[j.inbox.to_string()])?;
    Ok(())
}

pub(super) fn left(
    c: &mut DbConnection,
    urls: &Urls,
    member: &str,
    community: &str,
    inbox: &str,
) -> Result<()> {
    let leave = leave_activity(&urls.new_activity_id("leave"), member, community);
    delivery::enqueue(c, &leave, member, &[inbox.to_string()])?;
    Ok(())
}

/// The community's `Accept` or `Reject`, embedding the request as it was received.
pub(super) fn answered(c: &mut DbConnection, urls: &Urls, a: &MembershipAnswer) -> Result<()> {
    let request = request_activity(&a.request_kind, &a.request, &a.applicant, &a.community);
    let id = urls.new_activity_id(if a.accepted { "accept" } else { "reject" });
    let activity = answer_activity(&id, a.accepted, &a.community, &request);
    delivery::enqueue(c, &activity, &a.community, std::slice::from_ref(&a.inbox))?;
    Ok(())
}

pub(super) fn invited(
    c: &mut DbConnection,
    urls: &Urls,
    inviter: &str,
    community: &str,
    invitee: &str,
    inbox: &str,
    code: &str,
) -> Result<()> {
    let id = urls.new_activity_id("invite");
    let activity = invite_activity(&id, inviter, community, invitee, code);
    delivery::enqueue(c, &activity, inviter, &[inbox.to_string()])?;
    Ok(())
}

/// The welcome message, as a direct `Note` from the community that mentions the member.
pub(super) fn welcomed(
    c: &mut DbConnection,
    urls: &Urls,
    community: &str,
    member: &str,
    inbox: &str,
    text: &str,
) -> Result<()> {
    let create = json!({
        "@context": AS_CONTEXT,
        "id": urls.new_activity_id("create"),
        "type": "Create",
        "actor": community,
        "to": [member],
        "object": {
            "id": urls.new_activity_id("welcome"),
            "type": "Note",
            "attributedTo": community,
            "to": [member],
            "content": crate::content::render_markdown(text),
            "mediaType": "text/html",
            "source": {"content": text, "mediaType": "text/markdown"},
            "tag": [{"type": "Mention", "href": member}],
            "published": crate::time::rfc3339_micros(crate::time::now()),
        },
    });
    delivery::enqueue(c, &create, community, &[inbox.to_string()])?;
    Ok(())
}

/// `Add` (or `Remove`) of a member to the moderators collection, by `by`, announced by the
/// community to its followers.
pub(super) fn moderator_changed(
    c: &mut DbConnection,
    urls: &Urls,
    community_id: i64,
    community: &str,
    by: &str,
    member: &str,
    added: bool,
) -> Result<()> {
    let activity = json!({
        "@context": AS_CONTEXT,
        "id": urls.new_activity_id(if added { "add" } else { "remove" }),
        "type": if added { "Add" } else { "Remove" },
        "actor": by,
        "to": [PUBLIC],
        "cc": [community],
        "audience": community,
        "object": member,
        "target": format!("{community}/moderators"),
    });
    let inboxes = follows::remote_follower_inboxes(c, community_id)?;
    announce_to(c, urls, community, &activity, &inboxes)
}

/// Sends the community's actor, as it now is, to the servers that follow it, so that a
/// change of name, rules or approval (`manuallyApprovesFollowers`) shows there.
pub(super) fn community_updated(c: &mut DbConnection, urls: &Urls, name: &str) -> Result<()> {
    let details = crate::communities::details(c, name)?;
    let group = serde_json::to_value(crate::federation::actors::group(urls, &details))
        .map_err(Error::internal)?;
    let community = urls.community(&details.community.name);
    let update = json!({
        "@context": group.get("@context").cloned().unwrap_or(json!(AS_CONTEXT)),
        "id": urls.new_activity_id("update"),
        "type": "Update",
        "actor": community,
        "to": [PUBLIC],
        "cc": [format!("{community}/followers")],
        "object": group,
    });
    let inboxes = follows::remote_follower_inboxes(c, details.community.id)?;
    delivery::enqueue(c, &update, &community, &inboxes)?;
    Ok(())
}
