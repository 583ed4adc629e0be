//! Follow requests: remote follows of a local person that wait for that person's answer.
//!
//! A follow from a server the instance limits is held rather than accepted (Mastodon's
//! "limit" does the same). The person sees who asks, and authorizes the request, which
//! sends the `Accept` the follower's server waits for, or rejects it, which sends a
//! `Reject` and forgets the request, so that the same account may ask again later.

use serde::Serialize;

use super::model::ActorView;
use super::resolve::{Target, view_of};
use crate::accounts::User;
use crate::app::App;
use crate::db::follows;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::activities::follow::{answer_activity, follow_activity};
use crate::federation::activities::ids::new_activity_id;
use crate::federation::delivery;
use crate::federation::urls::Urls;
use crate::time::rfc3339;

/// One follow that waits for the signed-in user's answer.
#[derive(Debug, Clone, Serialize)]
pub struct FollowRequestView {
    pub id: i64,
    pub follower: ActorView,
    pub created_at: String,
}

/// The requests waiting for `user`, newest first; `before` is the id of the last request
/// of the previous page.
pub async fn pending(
    app: &App,
    user: &User,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<FollowRequestView>> {
    let user_id = user.id;
    let limit = limit.clamp(1, 200);
    let rows = app
        .db
        .run(move |c| {
            Ok(follows::pending_requests_of_user(
                c, user_id, before, limit,
            )?)
        })
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for (row, actor) in rows {
        views.push(FollowRequestView {
            id: row.id,
            follower: view_of(app, &Target::Remote(actor)).await?,
            created_at: rfc3339(row.created_at),
        });
    }
    Ok(views)
}

/// `user` answers the request `id`: `authorize` true accepts the follower, false rejects.
/// A request already answered, or someone else's, is `not_found`.
pub async fn answer(app: &App, user: &User, id: i64, authorize: bool) -> Result<()> {
    let urls = Urls::new(&app.config);
    let user_id = user.id;
    let now = crate::time::now();
    let kind = if authorize { "Accept" } else { "Reject" };
    let answer_id = new_activity_id(&urls, &kind.to_ascii_lowercase());
    app.db
        .transaction(move |c| {
            let row = follows::find(c, id)?
                .filter(|r| r.target_user_id == Some(user_id) && r.state == "pending")
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such follow request"))?;
            let follower = row
                .follower_remote_id
                .map(|remote| crate::db::remote_actors::find(c, remote))
                .transpose()?
                .flatten()
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such follow request"))?;
            // The answer embeds the Follow as it was received, so that servers matching
            // answers by the Follow's id (Mastodon) and by its actors (Lemmy) both settle.
            let follow = follow_activity(&row.activity_id, &row.follower_ap_id, &row.target_ap_id);
            let activity = answer_activity(kind, &answer_id, &row.target_ap_id, &follow);
            if authorize {
                follows::settle(c, row.id, "accepted", now)?;
            } else {
                follows::delete(c, row.id)?;
            }
            delivery::enqueue(c, &activity, &row.target_ap_id, &[follower.inbox])?;
            Ok(())
        })
        .await?;
    delivery::wake(app);
    Ok(())
}
