//! Incoming votes: `Like`, `Dislike`, and `Undo` of either, stored by the same domain code
//! as a local person's vote.

use super::content::{Incoming, apply, check_venue, record_only};
use crate::app::App;
use crate::db::votes::Voted;
use crate::db::{comments, posts};
use crate::discussions::participant::Participant;
use crate::discussions::votes::cast;
use crate::error::Result;
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
    let activity_id = incoming.id.clone();
    let actor = incoming.actor.clone();
    let urls = Urls::new(&app.config);
    apply(app, incoming, venue.clone(), None, move |c| {
        // Checked, stored and counted as a local person's vote is.
        let who = Participant::Remote(&actor);
        cast(c, &urls, (&post, &venue), target, who, value, &activity_id)?;
        Ok(())
    })
    .await
}
