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
use crate::events::{Event, FollowAnswer};
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
    let user_id = user.id;
    let now = crate::time::now();
    app.change(move |c, events| {
        let row = follows::find(c, id)?
            .filter(|r| r.target_user_id == Some(user_id) && r.state == "pending")
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such follow request"))?;
        let follower = row
            .follower_remote_id
            .map(|remote| crate::db::remote_actors::find(c, remote))
            .transpose()?
            .flatten()
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such follow request"))?;
        if authorize {
            follows::settle(c, row.id, "accepted", now)?;
        } else {
            follows::delete(c, row.id)?;
        }
        let answer = FollowAnswer {
            follow: row.activity_id,
            follower: row.follower_ap_id,
            target: row.target_ap_id,
            inbox: follower.inbox,
            accepted: authorize,
        };
        events.record(c, Event::FollowAnswered(answer))
    })
    .await
}
