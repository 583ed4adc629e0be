//! Posts, comments, votes and pins, as Lemmy sends them (FEP-1b12): the author's activity,
//! addressed to the community, which announces it to its followers (see [`publish`]).

use crate::communities::{Reach, Venue};
use crate::db::DbConnection;
use crate::error::Result;
use crate::events::{CommentEvent, PostEvent, VoteChange};
use crate::federation::objects::note::note;
use crate::federation::objects::page::page;
use crate::federation::protocol::activities::{
    Add, Addressing, Create, Delete, Dislike, Like, ObjectRef, Remove, Undo, Update,
};
use crate::federation::protocol::outgoing::to_json;
use crate::federation::publish;
use crate::federation::urls::Urls;

pub(super) fn post_created(c: &mut DbConnection, urls: &Urls, e: &PostEvent) -> Result<()> {
    let object = to_json(&page(&e.post, &e.author, e.venue.ap_id()))?;
    let create = Create::new(
        urls.new_activity_id("create"),
        e.author.as_str(),
        ObjectRef::Embedded(object.clone()),
    )
    .addressed(addressing(e.venue.ap_id(), Reach::of_post(&e.post)));
    let create = to_json(&create)?;
    // Only a public post is also announced as the bare Page.
    let page = (!e.post.restricted).then_some(&object);
    let reach = Reach::of_post(&e.post);
    publish::publish(c, urls, &e.venue, reach, &e.author, &create, page)
}

pub(super) fn post_edited(c: &mut DbConnection, urls: &Urls, e: &PostEvent) -> Result<()> {
    let object = ObjectRef::embed(&page(&e.post, &e.author, e.venue.ap_id()))?;
    let update = Update::new(urls.new_activity_id("update"), e.author.as_str(), object)
        .addressed(addressing(e.venue.ap_id(), Reach::of_post(&e.post)));
    let update = to_json(&update)?;
    let reach = Reach::of_post(&e.post);
    publish::publish(c, urls, &e.venue, reach, &e.author, &update, None)
}

pub(super) fn post_deleted(c: &mut DbConnection, urls: &Urls, e: &PostEvent) -> Result<()> {
    let delete = to_json(&deletion(urls, &e.author, &e.post.ap_id, &e.venue))?;
    let reach = Reach::of_post(&e.post);
    publish::publish(c, urls, &e.venue, reach, &e.author, &delete, None)
}

/// How an author's activity in `community` is addressed: to the public, as Lemmy does
/// (FEP-1b12); or, for members-only content, to the community alone, never the public.
/// (A community here re-addresses members-only content to each member's server as it
/// announces it; one elsewhere does as it sees fit.)
fn addressing(community: &str, reach: Reach) -> Addressing {
    match reach {
        Reach::Everyone => Addressing::community(community),
        Reach::Members(_) => Addressing {
            to: vec![community.to_string()],
            cc: Vec::new(),
            audience: Some(community.to_string()),
        },
    }
}

/// `Create` or `Update` of a comment's `Note`.
pub(super) fn comment_written(
    c: &mut DbConnection,
    urls: &Urls,
    e: &CommentEvent,
    edited: bool,
) -> Result<()> {
    let public = e.reach == Reach::Everyone;
    let object = ObjectRef::embed(&note(
        &e.comment,
        &e.author,
        e.venue.ap_id(),
        (&e.in_reply_to, &e.post),
        public,
    ))?;
    let addressing = addressing(e.venue.ap_id(), e.reach);
    let activity = if edited {
        to_json(
            &Update::new(urls.new_activity_id("update"), e.author.as_str(), object)
                .addressed(addressing),
        )?
    } else {
        to_json(
            &Create::new(urls.new_activity_id("create"), e.author.as_str(), object)
                .addressed(addressing),
        )?
    };
    publish::publish(c, urls, &e.venue, e.reach, &e.author, &activity, None)
}

pub(super) fn comment_deleted(c: &mut DbConnection, urls: &Urls, e: &CommentEvent) -> Result<()> {
    let delete = to_json(&deletion(urls, &e.author, &e.comment.ap_id, &e.venue))?;
    publish::publish(c, urls, &e.venue, e.reach, &e.author, &delete, None)
}

/// The author's `Delete` of their post or comment `object`.
fn deletion(urls: &Urls, author: &str, object: &str, venue: &Venue) -> Delete {
    Delete::new(urls.new_activity_id("delete"), author, object)
        .addressed(Addressing::community(venue.ap_id()))
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
            vote_activity(activity, voter, object, *value, venue)?
        }
        VoteChange::Withdrawn { value } => {
            let inner = vote_activity(&urls.new_activity_id("vote"), voter, object, *value, venue)?;
            to_json(
                &Undo::new(
                    urls.new_activity_id("undo"),
                    voter,
                    ObjectRef::Embedded(inner),
                )
                .addressed(Addressing::community(venue.ap_id())),
            )?
        }
    };
    publish::publish(c, urls, venue, reach, voter, &activity, None)
}

/// `Like` (+1) or `Dislike` (-1) of `object`, with its `@context` even when embedded in
/// the `Undo` that withdraws it.
pub fn vote_activity(
    id: &str,
    actor: &str,
    object: &str,
    value: i32,
    venue: &Venue,
) -> Result<serde_json::Value> {
    let audience = Addressing {
        audience: Some(venue.ap_id().to_string()),
        ..Addressing::default()
    };
    if value < 0 {
        to_json(&Dislike::new(id, actor, object).addressed(audience))
    } else {
        to_json(&Like::new(id, actor, object).addressed(audience))
    }
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
    let featured = format!("{}/featured", venue.ap_id());
    let addressing = Addressing::community(venue.ap_id());
    let activity = if pinned {
        to_json(
            &Add::new(urls.new_activity_id("add"), moderator, post, featured).addressed(addressing),
        )?
    } else {
        to_json(
            &Remove::new(urls.new_activity_id("remove"), moderator, post, featured)
                .addressed(addressing),
        )?
    };
    publish::publish(c, urls, venue, reach, moderator, &activity, None)
}
