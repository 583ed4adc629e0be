//! Who may fetch members-only content: only a signed request from a server that hosts a
//! member of its audience; anyone else is told there is no such object.

use crate::db::posts::PostRow;
use crate::db::{DbConnection, memberships, spaces};
use crate::error::Result;
use crate::membership::spaces::audience_memberships;

/// Whether the server `domain` may fetch the restricted post `post`: it must host a member
/// of the post's audience (for a post of a community elsewhere, it must be that community's
/// server).
pub fn server_may_read(c: &mut DbConnection, post: &PostRow, domain: &str) -> Result<bool> {
    let Some(community_id) = post.community_id else {
        let community = match post.remote_community_id {
            Some(id) => crate::db::remote_actors::find(c, id)?,
            None => None,
        };
        return Ok(community.is_some_and(|a| a.domain == domain));
    };
    let audience = match post.space_id {
        Some(id) => match spaces::find(c, id)? {
            Some(space) => audience_memberships(c, &space)?,
            None => Some(memberships::moderator_membership_ids(c, community_id)?),
        },
        None => None,
    };
    let members = memberships::remote_members(c, community_id, audience.as_deref())?;
    Ok(members.iter().any(|(ap_id, _, _)| {
        url::Url::parse(ap_id)
            .is_ok_and(|u| crate::federation::protocol::envelope::authority(&u) == domain)
    }))
}

/// Lets a fetch of the restricted post `post` through only when it is signed by an actor of
/// a server that may read it; anyone else is told there is no such object.
pub async fn check_fetch(
    app: &crate::app::App,
    method: &http::Method,
    path_and_query: &str,
    headers: &http::HeaderMap,
    post: PostRow,
) -> Result<()> {
    if !post.restricted {
        return Ok(());
    }
    let not_found =
        || crate::error::Error::new(crate::error::ErrorCode::NotFound, "no such object");
    let Ok(signer) =
        crate::federation::authorized_fetch::verify_get(app, method, path_and_query, headers).await
    else {
        return Err(not_found());
    };
    let domain = signer.domain.clone();
    let allowed = app
        .db
        .run(move |c| server_may_read(c, &post, &domain))
        .await?;
    if allowed { Ok(()) } else { Err(not_found()) }
}
