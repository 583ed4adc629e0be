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
    crate::db::settle_race(|| vote_once(app, user, target, value)).await
}

async fn vote_once(app: &App, user: &User, target: Voted, value: i32) -> Result<Tally> {
    if !(-1..=1).contains(&value) {
        return Err(Error::new(ErrorCode::VoteInvalid, "a vote is 1, -1 or 0"));
    }
    let here = here(app);
    let user = user.clone();
    app.change(move |c, events| {
        let (object_id, post, venue) = target_of(c, &here.urls, target)?;
        let activity_id = here
            .urls
            .new_activity_id(if value < 0 { "dislike" } else { "like" });
        let who = Participant::Local(&user);
        let cast = cast(
            c,
            &here.urls,
            (&post, &venue),
            target,
            who,
            value,
            &activity_id,
        )?;
        let change = match (value, cast.previous) {
            (0, None) => None,
            (0, Some(old)) => Some(VoteChange::Withdrawn { value: old }),
            (v, _) => Some(VoteChange::Cast {
                value: v,
                activity: activity_id,
            }),
        };
        if let Some(change) = change {
            let event = Event::Voted {
                voter: cast.voter,
                object: object_id,
                reach: Reach::of_post(&post),
                venue,
                change,
            };
            events.record(c, event)?;
        }
        Ok(cast.tally)
    })
    .await
}

/// A vote stored.
pub(crate) struct Cast {
    pub tally: Tally,
    /// The voter's ActivityPub id.
    pub voter: String,
    /// The vote it replaced, if any.
    pub previous: Option<i32>,
}

/// `who` votes `value` (+1, -1, or 0 to withdraw) on `target`, under `post` in `venue`, by
/// the activity `activity_id`: checked as anyone's vote is (bans, and whether they may see
/// it), stored, and the totals counted again. Local and remote votes both come here.
pub(crate) fn cast(
    c: &mut DbConnection,
    urls: &Urls,
    (post, venue): (&PostRow, &Venue),
    target: Voted,
    who: Participant<'_>,
    value: i32,
    activity_id: &str,
) -> Result<Cast> {
    check_may_vote(c, urls, post, venue, who)?;
    let voter = match who {
        Participant::Local(user) => Voter {
            ap_id: urls.person(&user.username),
            user_id: Some(user.id),
            remote_id: None,
        },
        Participant::Remote(actor) => Voter {
            ap_id: actor.ap_id.clone(),
            user_id: None,
            remote_id: Some(actor.id),
        },
    };
    let previous = votes::set(c, &voter, target, value, activity_id, crate::time::now())?;
    let previous = (previous != 0).then_some(previous);
    let tally = recount(c, target)?;
    Ok(Cast {
        tally,
        voter: voter.ap_id,
        previous,
    })
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
