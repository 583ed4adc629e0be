//! A person's home feed: the posts of the communities they belong to or follow (here and
//! elsewhere) and of the people they follow, newest first, as far as they may read them.

use super::model::PostView;
use super::posts::here;
use super::views;
use crate::accounts::User;
use crate::app::App;
use crate::db::memberships::Member;
use crate::db::posts::FeedSources;
use crate::db::{DbConnection, communities, follows, memberships, posts};
use crate::error::Result;
use crate::membership::{MembershipState, access};

/// A page of `user`'s feed; `before` is the id of the last post of the previous page.
pub async fn page(
    app: &App,
    user: &User,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<PostView>> {
    let here = here(app);
    let user = user.clone();
    let limit = limit.clamp(1, 100);
    app.db
        .run(move |c| {
            let sources = sources(c, &user)?;
            let cursor = match before {
                Some(id) => posts::find(c, id)?,
                None => None,
            };
            let (rows, names): (Vec<_>, Vec<_>) = posts::feed(c, &sources, cursor.as_ref(), limit)?
                .into_iter()
                .unzip();
            let handles = views::communities_of(c, &here, &rows)?;
            Ok(rows
                .iter()
                .zip(handles)
                .zip(names)
                .map(|((post, handle), names)| {
                    views::view_of_post(post, handle, views::joined_author(&here, names))
                })
                .collect())
        })
        .await
}

/// Where the feed draws from, and which restricted spaces its reader may see.
fn sources(c: &mut DbConnection, user: &User) -> Result<FeedSources> {
    let mut sources = FeedSources {
        user_id: user.id,
        ..FeedSources::default()
    };
    for m in memberships::of_user(c, user.id)? {
        if m.state != MembershipState::Accepted.as_str() {
            continue;
        }
        if let Some(id) = m.community_id {
            sources.communities.push(id);
        }
        if let Some(id) = m.remote_community_id {
            sources.remote_communities.push(id);
        }
    }
    // Spaces are decided per community, by the same rules as everywhere else.
    for id in sources.communities.clone() {
        if let Some(community) = communities::find(c, id)? {
            let standing = access::standing(c, id, Some(Member::Local(user.id)), user.is_admin)?;
            sources
                .spaces
                .extend(access::visible_spaces(c, &community, &standing)?);
        }
    }
    for (community, person, remote) in follows::accepted_targets_of_user(c, user.id)? {
        if let Some(id) = community {
            sources.communities.push(id);
        }
        if let Some(id) = person {
            sources.people.push(id);
        }
        // A remote actor followed is a community or a person: posts match it as either.
        if let Some(id) = remote {
            sources.remote_communities.push(id);
            sources.remote_people.push(id);
        }
    }
    Ok(sources)
}
