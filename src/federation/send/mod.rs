//! What is sent: the domain's events turned into activities, their audiences and queued
//! deliveries, in one place.
//!
//! [`FederationOutbox`] is the domain's [`Outbox`]: each [`Event`] is matched here once,
//! the arm builds the activity (shaped as Lemmy and Mastodon expect it) and queues it for
//! the servers that should hear of it, inside the transaction of the change. After the
//! commit the delivery worker is woken, once, here.

mod accounts;
mod conversations;
mod discussions;
mod follows;
mod membership;
mod moderation;

use std::sync::Arc;

use tokio::sync::Notify;

use super::publish;
use super::urls::Urls;
use crate::db::DbConnection;
use crate::error::Result;
use crate::events::{Event, Outbox};

/// Federation's side of the event seam.
pub struct FederationOutbox {
    urls: Urls,
    wake: Arc<Notify>,
}

impl FederationOutbox {
    pub fn new(urls: Urls, wake: Arc<Notify>) -> FederationOutbox {
        FederationOutbox { urls, wake }
    }
}

impl Outbox for FederationOutbox {
    fn record(&self, c: &mut DbConnection, event: Event) -> Result<()> {
        let urls = &self.urls;
        match event {
            Event::PostCreated(e) => discussions::post_created(c, urls, &e),
            Event::PostEdited(e) => discussions::post_edited(c, urls, &e),
            Event::PostDeleted(e) => discussions::post_deleted(c, urls, &e),
            Event::CommentCreated(e) => discussions::comment_written(c, urls, &e, false),
            Event::CommentEdited(e) => discussions::comment_written(c, urls, &e, true),
            Event::CommentDeleted(e) => discussions::comment_deleted(c, urls, &e),
            Event::Voted {
                voter,
                object,
                venue,
                reach,
                change,
            } => discussions::voted(c, urls, &voter, &object, (&venue, reach), &change),
            Event::PinChanged {
                moderator,
                post,
                venue,
                reach,
                pinned,
            } => discussions::pin_changed(c, urls, &moderator, &post, (&venue, reach), pinned),
            Event::RemovalChanged {
                moderator,
                object,
                venue,
                reach,
                reason,
                removed,
            } => moderation::removal_changed(
                c,
                urls,
                &moderator,
                &object,
                (&venue, reach),
                reason.as_deref(),
                removed,
            ),
            Event::LockChanged {
                moderator,
                post,
                venue,
                reach,
                reason,
                locked,
            } => moderation::lock_changed(
                c,
                urls,
                &moderator,
                &post,
                (&venue, reach),
                reason.as_deref(),
                locked,
            ),
            Event::Banned(ban) => moderation::banned(c, urls, &ban),
            Event::BanLifted(lifted) => moderation::ban_lifted(c, urls, &lifted),
            Event::FollowSent {
                follower,
                target,
                inbox,
                activity,
            } => follows::follow_sent(c, &follower, &target, &inbox, &activity),
            Event::Unfollowed {
                follower,
                target,
                inbox,
                activity,
            } => follows::unfollowed(c, urls, &follower, &target, &inbox, &activity),
            Event::FollowAnswered(answer) => follows::answered(c, urls, &answer),
            Event::JoinSent {
                member,
                community,
                inbox,
                activity,
                answers,
                rules_accepted,
                invite,
            } => membership::join_sent(
                c,
                &membership::JoinSent {
                    member: &member,
                    community: &community,
                    inbox: &inbox,
                    activity: &activity,
                    answers: &answers,
                    rules_accepted,
                    invite: invite.as_deref(),
                },
            ),
            Event::LeftRemote {
                member,
                community,
                inbox,
            } => membership::left(c, urls, &member, &community, &inbox),
            Event::MembershipAnswered(answer) => membership::answered(c, urls, &answer),
            Event::ConversationAnswered(answer) => conversations::answered(c, urls, &answer),
            Event::Invited {
                inviter,
                community,
                invitee,
                inbox,
                code,
            } => membership::invited(c, urls, &inviter, &community, &invitee, &inbox, &code),
            Event::Welcomed {
                community,
                member,
                inbox,
                text,
            } => membership::welcomed(c, urls, &community, &member, &inbox, &text),
            Event::ModeratorChanged {
                community_id,
                community,
                by,
                member,
                added,
            } => membership::moderator_changed(
                c,
                urls,
                community_id,
                &community,
                &by,
                &member,
                added,
            ),
            Event::CommunityUpdated { name } => membership::community_updated(c, urls, &name),
            Event::ReportForwarded {
                flag,
                sender,
                objects,
                reason,
                to,
                inbox,
            } => accounts::report_forwarded(
                c,
                &accounts::Forwarded {
                    flag: &flag,
                    sender: &sender,
                    objects: &objects,
                    reason: &reason,
                    to: &to,
                    inbox: &inbox,
                },
            ),
            Event::ProfileUpdated { username, inboxes } => {
                accounts::profile_updated(c, urls, &username, &inboxes)
            }
            Event::AccountDeleted { person, inboxes } => {
                accounts::account_deleted(c, urls, &person, &inboxes)
            }
            Event::Relayed {
                community_id,
                community,
                reach,
                activity,
                page,
            } => publish::announce(
                c,
                urls,
                community_id,
                &community,
                reach,
                &activity,
                page.as_ref(),
            ),
        }
    }

    fn committed(&self) {
        self.wake.notify_one();
    }
}
