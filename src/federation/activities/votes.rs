//! Incoming votes: `Like`, `Dislike`, and `Undo` of either.

use serde_json::Value;

use super::content::{Incoming, apply, check_venue, record_only};
use crate::app::App;
use crate::db::votes::{self, Voted, Voter};
use crate::db::{comments, posts};
use crate::discussions::participant::{Participant, check_may_vote};
use crate::discussions::votes::recount;
use crate::error::Result;
use crate::federation::protocol::envelope::id_of;
use crate::federation::urls::Urls;

/// A vote (`value` +1 or -1; 0 for an Undo) on the object `object_id`.
pub async fn receive(app: &App, incoming: Incoming, object_id: String, value: i32) -> Result<()> {
    let key = object_id.clone();
    let urls = Urls::new(&app.config);
    let found = app
        .db
        .run(move |c| {
            if let Some(post) = posts::find_by_ap_id(c, &key)? {
                let venue = crate::discussions::posts::venue_of_row(c, &urls, &post)?;
                return Ok(Some((Voted::Post(post.id), post, venue)));
            }
            if let Some(comment) = comments::find_by_ap_id(c, &key)?
                && let Some(post) = posts::find(c, comment.post_id)?
            {
                let venue = crate::discussions::posts::venue_of_row(c, &urls, &post)?;
                return Ok(Some((Voted::Comment(comment.id), post, venue)));
            }
            Ok(None)
        })
        .await?;
    let Some((target, post, venue)) = found else {
        return record_only(app, &incoming.id).await;
    };
    check_venue(&incoming, &venue)?;
    crate::federation::policy::doors::venue(app, &venue, &incoming.actor.domain).await?;
    let voter = Voter {
        ap_id: incoming.actor.ap_id.clone(),
        user_id: None,
        remote_id: Some(incoming.actor.id),
    };
    let activity_id = incoming.id.clone();
    let venue_for_check = venue.clone();
    let actor = incoming.actor.clone();
    let urls = Urls::new(&app.config);
    apply(app, incoming, venue, None, move |c| {
        // Checked as a local person's vote is: bans, and whether the voter may see it.
        let who = Participant::Remote(&actor);
        check_may_vote(c, &urls, &post, &venue_for_check, who)?;
        votes::set(c, &voter, target, value, &activity_id, crate::time::now())?;
        recount(c, target)?;
        Ok(())
    })
    .await
}

/// The vote an `Undo` withdraws: the id of what was voted on.
pub fn undone_object(undo_object: &Value) -> Option<String> {
    id_of(undo_object.get("object"))
        .and_then(Value::as_str)
        .map(str::to_string)
}
