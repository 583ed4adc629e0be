//! Posts, comments, votes and pins, as Lemmy sends them (FEP-1b12): the author's activity,
//! addressed to the community, which announces it to its followers (see [`publish`]).

use serde_json::{Value, json};

use crate::communities::{Reach, Venue};
use crate::db::DbConnection;
use crate::error::Result;
use crate::events::{CommentEvent, PostEvent, VoteChange};
use crate::federation::objects::PUBLIC;
use crate::federation::objects::note::note;
use crate::federation::objects::page::page;
use crate::federation::publish::{self, AS_CONTEXT};
use crate::federation::urls::Urls;

pub(super) fn post_created(c: &mut DbConnection, urls: &Urls, e: &PostEvent) -> Result<()> {
    let object = page(&e.post, &e.author, e.venue.ap_id());
    let create = publish::activity(urls, "Create", &e.author, object.clone(), &e.venue);
    // Only a public post is also announced as the bare Page.
    let page = (!e.post.restricted).then_some(&object);
    let reach = Reach::of_post(&e.post);
    publish::publish(c, urls, &e.venue, reach, &e.author, &create, page)
}

pub(super) fn post_edited(c: &mut DbConnection, urls: &Urls, e: &PostEvent) -> Result<()> {
    let object = page(&e.post, &e.author, e.venue.ap_id());
    let update = publish::activity(urls, "Update", &e.author, object, &e.venue);
    let reach = Reach::of_post(&e.post);
    publish::publish(c, urls, &e.venue, reach, &e.author, &update, None)
}

pub(super) fn post_deleted(c: &mut DbConnection, urls: &Urls, e: &PostEvent) -> Result<()> {
    let delete = publish::activity(urls, "Delete", &e.author, json!(e.post.ap_id), &e.venue);
    let reach = Reach::of_post(&e.post);
    publish::publish(c, urls, &e.venue, reach, &e.author, &delete, None)
}

/// `Create` or `Update` of a comment's `Note`.
pub(super) fn comment_written(
    c: &mut DbConnection,
    urls: &Urls,
    e: &CommentEvent,
    kind: &str,
) -> Result<()> {
    let object = note(
        &e.comment,
        &e.author,
        e.venue.ap_id(),
        &e.in_reply_to,
        &e.post,
    );
    let activity = publish::activity(urls, kind, &e.author, object, &e.venue);
    publish::publish(c, urls, &e.venue, e.reach, &e.author, &activity, None)
}

pub(super) fn comment_deleted(c: &mut DbConnection, urls: &Urls, e: &CommentEvent) -> Result<()> {
    let delete = publish::activity(urls, "Delete", &e.author, json!(e.comment.ap_id), &e.venue);
    publish::publish(c, urls, &e.venue, e.reach, &e.author, &delete, None)
}

/// `Like`/`Dislike`, or the `Undo` of the previous one when a vote is withdrawn.
pub(super) fn voted(
    c: &mut DbConnection,
    urls: &Urls,
    voter: &str,
    object: &str,
    (venue, reach): (&Venue, Reach),
    change: &VoteChange,
) -> Result<()> {
    let activity = match change {
        VoteChange::Cast { value, activity } => {
            vote_activity(activity, voter, object, *value, venue)
        }
        VoteChange::Withdrawn { value } => {
            let inner = vote_activity(&urls.new_activity_id("vote"), voter, object, *value, venue);
            publish::activity(urls, "Undo", voter, inner, venue)
        }
    };
    publish::publish(c, urls, venue, reach, voter, &activity, None)
}

/// `Like` (+1) or `Dislike` (-1) of `object`.
pub fn vote_activity(id: &str, actor: &str, object: &str, value: i32, venue: &Venue) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": if value < 0 { "Dislike" } else { "Like" },
        "actor": actor,
        "object": object,
        "audience": venue.ap_id(),
    })
}

/// `Add` (or `Remove`) of a post to the community's `featured` collection.
pub(super) fn pin_changed(
    c: &mut DbConnection,
    urls: &Urls,
    moderator: &str,
    post: &str,
    (venue, reach): (&Venue, Reach),
    pinned: bool,
) -> Result<()> {
    let kind = if pinned { "Add" } else { "Remove" };
    let activity = json!({
        "@context": AS_CONTEXT,
        "id": urls.new_activity_id(kind),
        "type": kind,
        "actor": moderator,
        "object": post,
        "target": format!("{}/featured", venue.ap_id()),
        "to": [PUBLIC],
        "cc": [venue.ap_id()],
        "audience": venue.ap_id(),
    });
    publish::publish(c, urls, venue, reach, moderator, &activity, None)
}
