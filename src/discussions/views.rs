//! Turning stored rows into API views: authors and communities by handle.

use super::model::{Author, CommentView, PostView};
use crate::db::authors::AuthorNames;
use crate::db::comments::CommentRow;
use crate::db::posts::PostRow;
use crate::db::{DbConnection, communities, remote_actors, users};
use crate::error::Result;
use crate::federation::urls::Urls;
use crate::time::rfc3339;

/// Ids and handles of this server, for views built inside a database closure.
#[derive(Debug, Clone)]
pub struct Here {
    pub urls: Urls,
    pub domain: String,
}

/// The author of something: a local user or a cached remote actor.
pub fn author(
    conn: &mut DbConnection,
    here: &Here,
    user_id: Option<i64>,
    remote_id: Option<i64>,
) -> Result<Option<Author>> {
    if let Some(id) = user_id
        && let Some(user) = users::find(conn, id)?
    {
        return Ok(Some(Author {
            handle: format!("@{}@{}", user.username, here.domain),
            actor_id: here.urls.person(&user.username),
            local: true,
        }));
    }
    if let Some(id) = remote_id
        && let Some(actor) = remote_actors::find(conn, id)?
    {
        return Ok(Some(Author {
            handle: format!("@{}@{}", actor.username, actor.domain),
            actor_id: actor.ap_id,
            local: false,
        }));
    }
    Ok(None)
}

/// The author named by a joined read.
pub fn joined_author(here: &Here, names: AuthorNames) -> Option<Author> {
    if let Some(username) = names.username {
        return Some(Author {
            handle: format!("@{username}@{}", here.domain),
            actor_id: here.urls.person(&username),
            local: true,
        });
    }
    match (
        names.remote_username,
        names.remote_domain,
        names.remote_ap_id,
    ) {
        (Some(username), Some(domain), Some(ap_id)) => Some(Author {
            handle: format!("@{username}@{domain}"),
            actor_id: ap_id,
            local: false,
        }),
        _ => None,
    }
}

/// The ActivityPub id of an author, for outgoing objects.
pub fn author_ap_id(
    conn: &mut DbConnection,
    here: &Here,
    user_id: Option<i64>,
    remote_id: Option<i64>,
) -> Result<Option<String>> {
    Ok(author(conn, here, user_id, remote_id)?.map(|a| a.actor_id))
}

/// `!name@host` and the actor id of a post's community.
pub fn community_of(
    conn: &mut DbConnection,
    here: &Here,
    post: &PostRow,
) -> Result<(String, String)> {
    if let Some(id) = post.community_id
        && let Some(c) = communities::find(conn, id)?
    {
        return Ok((
            format!("!{}@{}", c.name, here.domain),
            here.urls.community(&c.name),
        ));
    }
    if let Some(id) = post.remote_community_id
        && let Some(a) = remote_actors::find(conn, id)?
    {
        return Ok((format!("!{}@{}", a.username, a.domain), a.ap_id));
    }
    Ok((String::new(), String::new()))
}

/// The communities (`!name@host`) of many posts, in their order, in two queries whatever
/// their number: a feed mixes communities from here and elsewhere.
pub fn communities_of(
    conn: &mut DbConnection,
    here: &Here,
    posts: &[PostRow],
) -> Result<Vec<String>> {
    let local: Vec<i64> = posts.iter().filter_map(|p| p.community_id).collect();
    let remote: Vec<i64> = posts.iter().filter_map(|p| p.remote_community_id).collect();
    let local: std::collections::HashMap<i64, String> =
        communities::names_of(conn, &local)?.into_iter().collect();
    let remote: std::collections::HashMap<i64, (String, String)> =
        remote_actors::handles_of(conn, &remote)?
            .into_iter()
            .map(|(id, user, domain)| (id, (user, domain)))
            .collect();
    Ok(posts
        .iter()
        .map(|p| {
            if let Some(name) = p.community_id.and_then(|id| local.get(&id)) {
                format!("!{name}@{}", here.domain)
            } else if let Some((user, domain)) =
                p.remote_community_id.and_then(|id| remote.get(&id))
            {
                format!("!{user}@{domain}")
            } else {
                String::new()
            }
        })
        .collect())
}

pub fn post_view(conn: &mut DbConnection, here: &Here, post: &PostRow) -> Result<PostView> {
    let (community, _) = community_of(conn, here, post)?;
    let author = author(conn, here, post.author_user_id, post.author_remote_id)?;
    Ok(view_of_post(post, community, author))
}

/// The view of a post whose community (`!name@host`) and author are already known, as in
/// a page read with its authors joined.
pub fn view_of_post(post: &PostRow, community: String, author: Option<Author>) -> PostView {
    PostView {
        id: post.id,
        ap_id: post.ap_id.clone(),
        community,
        author,
        title: post.title.clone(),
        body: post.body_source.clone(),
        body_html: post.body_html.clone(),
        url: post.url.clone(),
        language: post.language.clone(),
        sensitive: post.sensitive,
        content_warning: post.content_warning.clone(),
        pinned: post.pinned,
        locked: post.locked,
        deleted: post.deleted,
        removed: post.removed,
        pending: post.pending,
        score: post.score,
        upvotes: post.upvotes,
        downvotes: post.downvotes,
        comment_count: post.comment_count,
        published_at: rfc3339(post.published_at),
        edited_at: post.edited_at.map(rfc3339),
    }
}

pub fn comment_view(conn: &mut DbConnection, here: &Here, c: &CommentRow) -> Result<CommentView> {
    let author = author(conn, here, c.author_user_id, c.author_remote_id)?;
    Ok(view_of_comment(c, author))
}

/// The view of a comment whose author is already known.
pub fn view_of_comment(c: &CommentRow, author: Option<Author>) -> CommentView {
    CommentView {
        id: c.id,
        ap_id: c.ap_id.clone(),
        post_id: c.post_id,
        parent_id: c.parent_id,
        depth: c.depth,
        author,
        // A removed comment keeps its place in the thread, not its words.
        body: c.body_source.clone().filter(|_| !c.removed),
        body_html: if c.removed {
            String::new()
        } else {
            c.body_html.clone()
        },
        deleted: c.deleted,
        removed: c.removed,
        pending: c.pending,
        score: c.score,
        upvotes: c.upvotes,
        downvotes: c.downvotes,
        published_at: rfc3339(c.published_at),
        edited_at: c.edited_at.map(rfc3339),
    }
}
