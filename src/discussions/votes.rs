//! Votes: up (+1), down (-1) or withdrawn (0), one per person and post or comment.

use super::participant::{Participant, check_may_vote};
use super::posts::{here, venue_of_row};
use super::rank::hot_rank;
use crate::accounts::User;
use crate::app::App;
use crate::communities::{Reach, Venue};
use crate::db::posts::PostRow;
use crate::db::votes::{self, Voted, Voter};
use crate::db::{DbConnection, comments, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Event, VoteChange};
use crate::federation::urls::Urls;

/// The new score after a vote.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Tally {
    pub score: i32,
    pub upvotes: i32,
    pub downvotes: i32,
}

/// `user` votes `value` on a post or comment; the vote is published as `Like`/`Dislike`,
/// and a withdrawn vote as `Undo` of the previous one.
pub async fn vote(app: &App, user: &User, target: Voted, value: i32) -> Result<Tally> {
    if !(-1..=1).contains(&value) {
        return Err(Error::new(ErrorCode::VoteInvalid, "a vote is 1, -1 or 0"));
    }
    let here = here(app);
    let voter = Voter {
        ap_id: here.urls.person(&user.username),
        user_id: Some(user.id),
        remote_id: None,
    };
    let user = user.clone();
    app.change(move |c, events| {
        let (object_id, post, venue) = target_of(c, &here.urls, target)?;
        let reach = Reach::of_post(&post);
        check_may_vote(c, &here.urls, &post, &venue, Participant::Local(&user))?;
        let previous = votes::find(c, &voter.ap_id, target)?;
        let activity_id = here
            .urls
            .new_activity_id(if value < 0 { "dislike" } else { "like" });
        votes::set(c, &voter, target, value, &activity_id, crate::time::now())?;
        let tally = recount(c, target)?;
        let change = match (value, previous) {
            (0, None) => None,
            (0, Some((_, old))) => Some(VoteChange::Withdrawn { value: old }),
            (v, _) => Some(VoteChange::Cast {
                value: v,
                activity: activity_id,
            }),
        };
        if let Some(change) = change {
            let event = Event::Voted {
                voter: voter.ap_id.clone(),
                object: object_id,
                venue,
                reach,
                change,
            };
            events.record(c, event)?;
        }
        Ok(tally)
    })
    .await
}

/// The id of what is voted on and its community.
pub(crate) fn target_of(
    c: &mut DbConnection,
    urls: &Urls,
    target: Voted,
) -> Result<(String, PostRow, Venue)> {
    let post_id = match target {
        Voted::Post(id) => id,
        Voted::Comment(id) => {
            comments::find(c, id)?
                .filter(|r| !r.deleted)
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?
                .post_id
        }
    };
    let post = posts::find(c, post_id)?
        .filter(|p| !p.deleted)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
    let venue = venue_of_row(c, urls, &post)?;
    let object_id = match target {
        Voted::Post(_) => post.ap_id.clone(),
        Voted::Comment(id) => comments::find(c, id)?.map(|r| r.ap_id).unwrap_or_default(),
    };
    Ok((object_id, post, venue))
}

/// Counts the votes again and stores the totals (and, for posts, the hot rank).
pub(crate) fn recount(c: &mut DbConnection, target: Voted) -> Result<Tally> {
    let (up, down) = votes::tally(c, target)?;
    match target {
        Voted::Post(id) => {
            if let Some(post) = posts::find(c, id)? {
                let rank = hot_rank(up - down, post.published_at, crate::time::now());
                posts::set_votes(c, id, up, down, rank)?;
            }
        }
        Voted::Comment(id) => {
            comments::set_votes(c, id, up, down)?;
        }
    }
    Ok(Tally {
        score: up - down,
        upvotes: up,
        downvotes: down,
    })
}
