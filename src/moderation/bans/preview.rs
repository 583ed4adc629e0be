//! What a ban would do, said before it is made: how many of the person's posts and
//! comments in the community a ban that removes their content takes away, and how many
//! servers hear of it (those following the community).

use crate::accounts::User;
use crate::app::App;
use crate::db::footprint::{self, Person};
use crate::db::memberships::{self, Member};
use crate::db::{communities, follows};
use crate::error::{Error, ErrorCode, Result};
use crate::membership::access;

/// The consequences of banning one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanPreview {
    /// Their posts and comments showing in the community.
    pub posts: i64,
    pub comments: i64,
    /// Servers that follow the community and are told of the ban (and of the removals).
    pub servers: usize,
}

/// What banning the member `membership_id` of community `name` would do; for its
/// moderators only.
pub async fn preview(app: &App, user: &User, name: &str, membership_id: i64) -> Result<BanPreview> {
    let (name, user) = (name.to_string(), user.clone());
    app.db
        .run(move |c| {
            let community = communities::find_by_name(c, &name)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
            let standing =
                access::standing(c, community.id, Some(Member::Local(user.id)), user.is_admin)?;
            if !standing.moderates() {
                return Err(Error::new(
                    ErrorCode::NotAModerator,
                    "only the community's moderators can do this",
                ));
            }
            let row = memberships::find_by_id(c, membership_id)?
                .filter(|m| m.community_id == Some(community.id))
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such member"))?;
            let person = match (row.user_id, row.remote_actor_id) {
                (Some(id), _) => Person::Local(id),
                (_, Some(id)) => Person::Remote(id),
                _ => return Err(Error::internal("a membership of no one")),
            };
            let (posts, comments) = footprint::shown_in_community(c, person, community.id)?;
            let servers = follows::remote_follower_inboxes(c, community.id)?.len();
            Ok(BanPreview {
                posts,
                comments,
                servers,
            })
        })
        .await
}
