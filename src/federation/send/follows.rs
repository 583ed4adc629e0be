//! Following: `Follow` and its `Undo` from a local person, `Accept`/`Reject` of a remote
//! follower's request, each sent to the one server concerned.

use crate::db::DbConnection;
use crate::error::Result;
use crate::events::FollowAnswer;
use crate::federation::activities::follow::{
    answer_activity, follow_activity, undo_follow_activity,
};
use crate::federation::delivery;
use crate::federation::protocol::outgoing::to_json;
use crate::federation::urls::Urls;

pub(super) fn follow_sent(
    c: &mut DbConnection,
    follower: &str,
    target: &str,
    inbox: &str,
    activity: &str,
) -> Result<()> {
    let follow = to_json(&follow_activity(activity, follower, target))?;
    delivery::enqueue(c, &follow, follower, &[inbox.to_string()])?;
    Ok(())
}

pub(super) fn unfollowed(
    c: &mut DbConnection,
    urls: &Urls,
    follower: &str,
    target: &str,
    inbox: &str,
    activity: &str,
) -> Result<()> {
    let follow = follow_activity(activity, follower, target);
    let undo = to_json(&undo_follow_activity(
        &urls.new_activity_id("undo"),
        follower,
        &follow,
    )?)?;
    delivery::enqueue(c, &undo, follower, &[inbox.to_string()])?;
    Ok(())
}

/// The answer embeds the `Follow` as it was received, so that servers matching answers by
/// the Follow's id (Mastodon) and by its actors (Lemmy) both settle.
pub(super) fn answered(c: &mut DbConnection, urls: &Urls, a: &FollowAnswer) -> Result<()> {
    let follow = follow_activity(&a.follow, &a.follower, &a.target);
    let id = urls.new_activity_id(if a.accepted { "accept" } else { "reject" });
    let activity = answer_activity(a.accepted, &id, &a.target, &follow)?;
    delivery::enqueue(c, &activity, &a.target, std::slice::from_ref(&a.inbox))?;
    Ok(())
}
