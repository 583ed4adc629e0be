//! Pinning: a moderator of a local community features a post at the top of it. The
//! community's `featured` collection lists pinned posts, and the change is published as
//! `Add` or `Remove` with that collection as target, as Lemmy sends it.

use super::model::PostView;
use super::posts::here;
use super::views;
use crate::accounts::User;
use crate::app::App;
use crate::communities::{Reach, Venue};
use crate::db::{communities, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::moderation::log;

pub async fn set_pinned(app: &App, user: &User, post_id: i64, pinned: bool) -> Result<PostView> {
    let here = here(app);
    let moderator = here.urls.person(&user.username);
    let user_id = user.id;
    app.change(move |c, events| {
        let post = posts::find(c, post_id)?
            .filter(|p| !p.deleted && !p.pending)
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
        let community_id = post.community_id.ok_or_else(|| {
            Error::new(
                ErrorCode::Forbidden,
                "posts are pinned by the moderators of the community's own server",
            )
        })?;
        if !communities::is_moderator(c, community_id, user_id)? {
            return Err(Error::new(
                ErrorCode::Forbidden,
                "only moderators pin posts",
            ));
        }
        if post.pinned != pinned {
            posts::set_pinned(c, post_id, pinned)?;
            let community = communities::find(c, community_id)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
            let venue = Venue::Local {
                id: community_id,
                ap_id: here.urls.community(&community.name),
            };
            let community_ap_id = venue.ap_id().to_string();
            let event = Event::PinChanged {
                moderator: moderator.clone(),
                post: post.ap_id.clone(),
                venue,
                reach: Reach::of_post(&post),
                pinned,
            };
            events.record(c, event)?;
            let action = if pinned {
                log::Action::PinPost
            } else {
                log::Action::UnpinPost
            };
            let mut entry = log::LogEntry::new(
                log::Moderator {
                    user_id: Some(user_id),
                    ap_id: moderator.clone(),
                },
                action,
                log::TargetKind::Post,
            );
            entry.community_id = Some(community_id);
            entry.community_ap_id = Some(community_ap_id);
            entry.target_ap_id = Some(post.ap_id.clone());
            entry.target_label = Some(post.title.clone());
            log::record(c, entry)?;
        }
        let post = posts::find(c, post_id)?.ok_or_else(|| Error::internal("post vanished"))?;
        views::post_view(c, &here, &post)
    })
    .await
}
