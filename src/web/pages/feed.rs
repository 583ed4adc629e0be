//! `/c/{name}/feed.atom`: a community's latest posts as an Atom feed, for feed readers and
//! for people who follow a community by mail-to-feed tools. Only what the public may read
//! is in it: a private community has no feed, and restricted spaces' posts never appear.

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
