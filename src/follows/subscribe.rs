//! Follow, unfollow and list, for a local user.

use super::model::{FollowState, FollowView};
use super::resolve::{Target, stored_target, view_of};
use super::retry::next_retry;
use crate::accounts::User;
use crate::app::App;
use crate::db::follows::{self, FollowRecord, FollowRow};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::federation::local::LocalActor;
use crate::federation::urls::Urls;
use crate::time::rfc3339;

/// `user` follows `target`. Following again what one already follows changes nothing; a
/// rejected or still pending follow of a remote actor is sent again.
pub async fn follow(app: &App, user: &User, target: Target) -> Result<FollowView> {
    crate::db::settle_race(|| follow_once(app, user, target.clone())).await
}

async fn follow_once(app: &App, user: &User, target: Target) -> Result<FollowView> {
    let urls = Urls::new(&app.config);
    let follower = urls.person(&user.username);
    let target_ap_id = target.ap_id(&urls);
    if target_ap_id == follower {
        return Err(Error::new(
            ErrorCode::CannotFollowSelf,
            "you cannot follow yourself",
        ));
    }
    let now = crate::time::now();
    let activity_id = urls.new_activity_id("follow");
    let mut record = FollowRecord {
        follower_ap_id: follower.clone(),
        target_ap_id: target_ap_id.clone(),
        follower_user_id: Some(user.id),
        follower_remote_id: None,
        target_community_id: None,
        target_user_id: None,
        target_remote_id: None,
        state: FollowState::Accepted.as_str().into(),
        activity_id: activity_id.clone(),
        attempts: 0,
        next_attempt_at: None,
        updated_at: now,
    };
    let mut outgoing = None;
    match &target {
        Target::Local(LocalActor::Community(c)) => record.target_community_id = Some(c.id),
        Target::Local(LocalActor::Person(u)) => record.target_user_id = Some(u.id),
        Target::Local(LocalActor::Instance) => {
            return Err(Error::new(
                ErrorCode::Forbidden,
                "the instance actor cannot be followed",
            ));
        }
        Target::Remote(remote) => {
            record.target_remote_id = Some(remote.id);
            record.state = FollowState::Pending.as_str().into();
            record.attempts = 1;
            record.next_attempt_at = next_retry(now, 1);
            outgoing = Some(Event::FollowSent {
                follower: follower.clone(),
                target: remote.ap_id.clone(),
                inbox: remote.inbox.clone(),
                activity: activity_id.clone(),
            });
        }
    }
    let existing = {
        let (f, t) = (follower.clone(), target_ap_id.clone());
        app.db
            .run(move |c| Ok(follows::find_pair(c, &f, &t)?))
            .await?
    };
    if let Some(row) = existing
        && FollowState::parse(&row.state) == FollowState::Accepted
    {
        return view(app, &row, target).await;
    }
    let user_id = user.id;
    let row = app
        .change(move |c, events| {
            // Someone banned from a community here does not come back by following it.
            if let Some(community_id) = record.target_community_id {
                let member = crate::db::memberships::Member::Local(user_id);
                crate::moderation::bans::check_may_enter(c, community_id, member)?;
            }
            let row = follows::upsert(c, &record)?;
            if let Some(event) = outgoing {
                events.record(c, event)?;
            }
            Ok(row)
        })
        .await?;
    view(app, &row, target).await
}

/// Ends one of `user`'s follows; a remote target is sent an `Undo`.
pub async fn unfollow(app: &App, user: &User, follow_id: i64) -> Result<()> {
    let user_id = user.id;
    let row = app
        .db
        .run(move |c| Ok(follows::find(c, follow_id)?))
        .await?
        .filter(|r| r.follower_user_id == Some(user_id))
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such follow"))?;
    let target = stored_target(app, &row).await?;
    let undo = match target {
        Some(Target::Remote(remote)) => Some(Event::Unfollowed {
            follower: row.follower_ap_id.clone(),
            target: remote.ap_id.clone(),
            inbox: remote.inbox.clone(),
            activity: row.activity_id.clone(),
        }),
        _ => None,
    };
    app.change(move |c, events| {
        follows::delete(c, row.id)?;
        if let Some(event) = undo {
            events.record(c, event)?;
        }
        Ok(())
    })
    .await
}

/// What `user` follows, newest first; `before` is the id of the last follow of the
/// previous page.
pub async fn list(
    app: &App,
    user: &User,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<FollowView>> {
    let user_id = user.id;
    let limit = limit.clamp(1, 200);
    let rows = app
        .db
        .run(move |c| Ok(follows::of_user(c, user_id, before, limit)?))
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(target) = stored_target(app, &row).await? {
            views.push(view(app, &row, target).await?);
        }
    }
    Ok(views)
}

async fn view(app: &App, row: &FollowRow, target: Target) -> Result<FollowView> {
    Ok(FollowView {
        id: row.id,
        state: FollowState::parse(&row.state),
        target: view_of(app, &target).await?,
        created_at: rfc3339(row.created_at),
    })
}
