//! Belonging, on the wire: `Join` and `Leave` of a remote community, a community's `Accept`
//! or `Reject` of a request, Mobilizon's `Invite`, a welcome as a direct `Note`, moderator
//! changes as `Add`/`Remove` on the moderators collection (as Lemmy sends them, announced
//! by the community), and the community's actor after a settings change (`Update` of the
//! `Group`).

use crate::db::{DbConnection, follows};
use crate::error::{Error, Result};
use crate::events::MembershipAnswer;
use crate::federation::activities::membership::{
    answer_activity, invite_activity, join_activity, leave_activity, request_activity,
};
use crate::federation::delivery;
use crate::federation::objects::PUBLIC;
use crate::federation::protocol::activities::{Add, Addressing, Create, ObjectRef, Remove, Update};
use crate::federation::protocol::objects::{Mention, Note, ObjectFields, ObjectKind, Source, Tag};
use crate::federation::protocol::outgoing::{at, to_json};
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
    delivery::enqueue(c, &to_json(&join)?, j.member, &[j.inbox.to_string()])?;
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
    delivery::enqueue(c, &to_json(&leave)?, member, &[inbox.to_string()])?;
    Ok(())
}

/// The community's `Accept` or `Reject`, embedding the request as it was received.
pub(super) fn answered(c: &mut DbConnection, urls: &Urls, a: &MembershipAnswer) -> Result<()> {
    let request = request_activity(&a.request_kind, &a.request, &a.applicant, &a.community)?;
    let id = urls.new_activity_id(if a.accepted { "accept" } else { "reject" });
    let activity = answer_activity(&id, a.accepted, &a.community, &a.applicant, request)?;
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
    delivery::enqueue(c, &to_json(&activity)?, inviter, &[inbox.to_string()])?;
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
    let note = Note {
        kind: ObjectKind::Note,
        fields: ObjectFields {
            id: urls.new_activity_id("welcome"),
            attributed_to: vec![community.into()],
            to: vec![member.to_string()],
            content: Some(crate::content::render_markdown(text)),
            media_type: Some("text/html".into()),
            source: Some(Source::markdown(text)),
            tag: vec![Tag::Mention(Mention {
                href: member.to_string(),
                name: None,
            })],
            published: Some(at(crate::time::now())),
            ..ObjectFields::default()
        },
        distinguished: None,
    };
    let create = Create::new(
        urls.new_activity_id("create"),
        community,
        ObjectRef::embed(&note)?,
    )
    .addressed(Addressing::to(&[member]));
    delivery::enqueue(c, &to_json(&create)?, community, &[inbox.to_string()])?;
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
    let moderators = format!("{community}/moderators");
    let addressing = Addressing::community(community);
    let activity = if added {
        to_json(
            &Add::new(urls.new_activity_id("add"), by, member, moderators).addressed(addressing),
        )?
    } else {
        to_json(
            &Remove::new(urls.new_activity_id("remove"), by, member, moderators)
                .addressed(addressing),
        )?
    };
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
    let update = Update {
        // The actor's own context, so that its extension terms are defined.
        context: Some(
            group
                .get("@context")
                .cloned()
                .unwrap_or_else(|| AS_CONTEXT.into()),
        ),
        to: vec![PUBLIC.to_string()],
        cc: vec![format!("{community}/followers")],
        ..Update::new(
            urls.new_activity_id("update"),
            community.as_str(),
            ObjectRef::Embedded(group),
        )
    };
    let inboxes = follows::remote_follower_inboxes(c, details.community.id)?;
    delivery::enqueue(c, &to_json(&update)?, &community, &inboxes)?;
    Ok(())
}
