//! `/modlog` for browsers: what moderators did, as the reader may know it.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use super::when;
use crate::error::Result;
use crate::moderation::log_view::{self, LogEntryView, LogQuery};
use crate::web::page::{Ctx, Meta, Page};

#[derive(Deserialize)]
pub struct ModlogQuery {
    #[serde(default)]
    community: Option<String>,
    #[serde(default)]
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "modlog.html")]
struct ModlogPage {
    page: Page,
    items: Vec<LogEntryView>,
    community: String,
    next: Option<String>,
}

impl ModlogPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    /// The action in words: a known one from the catalogue, an unknown one as stored.
    fn action(&self, action: &str) -> String {
        let key = format!("modlog-action-{action}");
        let text = self.page.t(&key);
        if text == key {
            action.replace('_', " ")
        } else {
            text.to_string()
        }
    }
}

pub async fn show(ctx: Ctx, Query(q): Query<ModlogQuery>) -> Result<Response> {
    let community = q.community.filter(|c| !c.trim().is_empty());
    let query = LogQuery {
        community: community.clone(),
        before: q.before,
        limit: 50,
        refused: false,
    };
    let log = log_view::page(&ctx.app, ctx.viewer.as_ref(), query).await?;
    let community = community.unwrap_or_default();
    let next = log.next_before.map(|before| {
        if community.is_empty() {
            format!("/modlog?before={before}")
        } else {
            format!("/modlog?community={community}&before={before}")
        }
    });
    let page = ctx.page(ctx.t("modlog-title"), Meta::default()).await;
    let view = ModlogPage {
        page,
        items: log.items,
        community,
        next,
    };
    Ok(ctx.ok(view.render()))
}
