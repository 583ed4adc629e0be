//! `/c/{name}/feed.atom` and `/c/{name}/s/{space}/feed.atom`: a community's (or one of its
//! spaces') latest posts as an Atom feed, for feed readers and mail-to-feed tools. Only
//! what the public may read is in it: a private community and a members' space have no
//! feed, and restricted posts never appear.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::communities::{self, Venue};
use crate::db::posts::Sort;
use crate::discussions::{PostView, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;

#[derive(Template)]
#[template(path = "community_feed.xml")]
struct Feed {
    title: String,
    subtitle: Option<String>,
    page_url: String,
    self_url: String,
    updated: String,
    posts: Vec<PostView>,
}

pub async fn community(State(app): State<App>, Path(name): Path<String>) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    let c = &details.community;
    if c.is_private() {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!("no community '{name}'"),
        ));
    }
    let urls = Urls::new(&app.config);
    let venue = Venue::Local {
        id: c.id,
        ap_id: urls.community(&c.name),
    };
    // As an anonymous reader: the feed is public whoever fetches it.
    let posts = posts::list(&app, None, &venue, Sort::New, None, 30).await?;
    let updated = posts
        .first()
        .map(|p| {
            p.edited_at
                .clone()
                .unwrap_or_else(|| p.published_at.clone())
        })
        .unwrap_or_else(|| crate::time::rfc3339(c.updated_at));
    let feed = Feed {
        title: c.title.clone(),
        subtitle: c.summary.clone(),
        page_url: urls.community(&c.name),
        self_url: format!("{}/feed.atom", urls.community(&c.name)),
        updated,
        posts: posts
            .into_iter()
            .filter(|p| !p.removed && !p.deleted)
            .collect(),
    };
    atom(feed)
}

/// `GET /c/{name}/s/{space}/feed.atom`: a space open to everyone.
pub async fn space(
    State(app): State<App>,
    Path((name, slug)): Path<(String, String)>,
) -> Result<Response> {
    let details = communities::find_local(&app.db, &name).await?;
    let c = details.community;
    let not_found = || Error::new(ErrorCode::NotFound, format!("no public space '{slug}'"));
    if c.is_private() {
        return Err(not_found());
    }
    let here = crate::discussions::posts::here(&app);
    let (space, posts) = {
        let slug = slug.clone();
        let community_id = c.id;
        app.db
            .run(move |conn| {
                let space = crate::db::spaces::find_by_slug(conn, community_id, &slug)?;
                let Some(space) = space.filter(|s| s.audience == "everyone") else {
                    return Ok(None);
                };
                let rows = crate::db::posts::public_of_space(conn, space.id, 30)?;
                let handle = format!("!{}@{}", c_name(conn, community_id)?, here.domain);
                let posts = rows
                    .into_iter()
                    .map(|(post, names)| {
                        let author = crate::discussions::views::joined_author(&here, names);
                        crate::discussions::views::view_of_post(&post, handle.clone(), author)
                    })
                    .collect::<Vec<_>>();
                Ok(Some((space, posts)))
            })
            .await?
            .ok_or_else(not_found)?
    };
    let urls = Urls::new(&app.config);
    let updated = posts
        .first()
        .map(|p| {
            p.edited_at
                .clone()
                .unwrap_or_else(|| p.published_at.clone())
        })
        .unwrap_or_else(|| crate::time::rfc3339(c.updated_at));
    let feed = Feed {
        title: format!("{} · {}", c.title, space.title),
        subtitle: c.summary.clone(),
        page_url: urls.community(&c.name),
        self_url: format!("{}/s/{}/feed.atom", urls.community(&c.name), space.slug),
        updated,
        posts,
    };
    atom(feed)
}

fn c_name(conn: &mut crate::db::DbConnection, id: i64) -> Result<String> {
    Ok(crate::db::communities::find(conn, id)?
        .map(|c| c.name)
        .unwrap_or_default())
}

fn atom(feed: Feed) -> Result<Response> {
    let body = feed.render().map_err(Error::internal)?;
    Ok((
        [
            (CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}
