//! `/feed`: the reader's home feed, what arrived from the communities and people they
//! follow, here and on other servers.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use super::when;
use crate::discussions::feed::{self, Cursor, FeedItem};
use crate::error::{Error, ErrorCode, Result};
use crate::web::page::{Ctx, Meta, Page};

const PER_PAGE: i64 = 25;

#[derive(Deserialize)]
pub struct FeedQuery {
    /// Where the page starts (a marker the previous page gave).
    #[serde(default)]
    before: Option<String>,
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    page: Page,
    items: Vec<FeedItem>,
    next: Option<String>,
}

impl FeedPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    fn comments(&self, n: &i32) -> String {
        self.page.lang.count("post-comments", i64::from(*n))
    }

    /// Where a post is read: its page here for local and known remote posts alike.
    fn community_link(&self, handle: &str) -> String {
        let local = format!("@{}", self.page.domain);
        match handle.strip_suffix(&local) {
            Some(name) => format!("/c/{}", name.trim_start_matches('!')),
            None => format!("/c/{}", handle.trim_start_matches('!')),
        }
    }
}

pub async fn show(ctx: Ctx, Query(q): Query<FeedQuery>) -> Result<Response> {
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in to see your feed"))?;
    let before = q.before.as_deref().map(Cursor::parse).transpose()?;
    let (items, next) = feed::page(&ctx.app, user, before, PER_PAGE).await?;
    let next = next.map(|c| format!("/feed?before={}", c.encode()));
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(ctx.t("feed-title"), meta).await;
    let view = FeedPage { page, items, next };
    Ok(ctx.ok(view.render()))
}
