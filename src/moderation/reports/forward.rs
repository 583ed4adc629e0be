//! Sending a report to the server the reported content or person comes from, when the
//! reporter asks for it.
//!
//! The `Flag` is the instance's, not the reporter's: as Mastodon does, the other server
//! learns that someone here reported, never who. Content in a community elsewhere goes to
//! that community (its moderators handle it, as Lemmy expects), sent by the instance's
//! reporting actor; otherwise the Flag goes to the server of the author or of the reported
//! person, sent by the instance actor.

use super::target::{describe, log_label};
use crate::db::reports::{self, ReportRow};
use crate::db::{DbConnection, comments, communities, posts, remote_actors};
use crate::discussions::views::{self, Here};
use crate::error::Result;
use crate::events::{Event, Recorder};
use crate::moderation::log::{self, Action, LogEntry, Moderator, TargetKind};

/// Queues the Flag for report `row` if anything it names lives on another server; returns
/// whether one was queued. Runs in the transaction that filed the report.
pub(super) fn queue(
    c: &mut DbConnection,
    events: &mut Recorder,
    here: &Here,
    row: &ReportRow,
) -> Result<bool> {
    let comment = row
        .comment_id
        .map(|id| comments::find(c, id))
        .transpose()?
        .flatten();
    let post_id = comment.as_ref().map(|cm| cm.post_id).or(row.post_id);
    let post = post_id.map(|id| posts::find(c, id)).transpose()?.flatten();
    let (content_ap_id, author_user, author_remote) = match (&comment, &post) {
        (Some(cm), _) => (
            Some(cm.ap_id.clone()),
            cm.author_user_id,
            cm.author_remote_id,
        ),
        (None, Some(p)) => (Some(p.ap_id.clone()), p.author_user_id, p.author_remote_id),
        (None, None) => (None, row.person_user_id, row.person_remote_id),
    };
    let person_ap_id = views::author_ap_id(c, here, author_user, author_remote)?;

    let remote_community = post
        .as_ref()
        .and_then(|p| p.remote_community_id)
        .map(|id| remote_actors::find(c, id))
        .transpose()?
        .flatten();
    let remote_person = author_remote
        .map(|id| remote_actors::find(c, id))
        .transpose()?
        .flatten();
    let (inbox, to, community_ap_id) = match (&remote_community, &remote_person) {
        (Some(community), _) => (
            community.inbox.clone(),
            community.ap_id.clone(),
            Some(community.ap_id.clone()),
        ),
        (None, Some(person)) => (
            person.delivery_inbox().to_string(),
            person.ap_id.clone(),
            None,
        ),
        (None, None) => return Ok(false),
    };

    let objects: Vec<String> = person_ap_id.into_iter().chain(content_ap_id).collect();
    let id = here.urls.new_activity_id("flag");
    // Lemmy's communities take a Flag only from a person or a service, never from an
    // application actor such as the instance's: to a community, the instance's reporting
    // actor sends it. To a person's server, the instance actor does, as Mastodon's.
    let instance = match community_ap_id {
        Some(_) => here.urls.reports_actor(),
        None => here.urls.instance_actor(),
    };
    let event = Event::ReportForwarded {
        flag: id.clone(),
        sender: instance.clone(),
        objects,
        reason: row.reason.clone(),
        to,
        inbox,
    };
    events.record(c, event)?;
    let now = crate::time::now();
    reports::set_forwarded(c, row.id, &id, now)?;

    let target = describe(c, here, row)?;
    let local_community = row
        .community_id
        .map(|cid| communities::find(c, cid))
        .transpose()?
        .flatten();
    let mut entry = LogEntry::new(
        Moderator {
            user_id: None,
            ap_id: instance,
        },
        Action::ForwardReport,
        TargetKind::Report,
    );
    entry.community_id = row.community_id;
    entry.community_ap_id = local_community
        .map(|lc| here.urls.community(&lc.name))
        .or(community_ap_id);
    entry.target_ap_id = target.ap_id.clone();
    entry.target_label = Some(log_label(row.id, &target));
    log::record(c, entry)?;
    Ok(true)
}
