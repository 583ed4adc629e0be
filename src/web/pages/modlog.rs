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
    kind: Option<String>,
    #[serde(default)]
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "modlog.html")]
struct ModlogPage {
    page: Page,
    items: Vec<LogEntryView>,
    community: String,
    kind: String,
    kinds: Vec<&'static str>,
    next: Option<String>,
}

impl ModlogPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    fn is_kind(&self, kind: &str) -> bool {
        self.kind == kind
    }

    fn kind_label(&self, kind: &str) -> String {
        self.page.t(&format!("modlog-kind-{kind}")).to_string()
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
    let kind = q.kind.filter(|k| !k.is_empty());
    let query = LogQuery {
        community: community.clone(),
        before: q.before,
        limit: 50,
        refused: false,
        kind: kind.clone(),
    };
    let log = log_view::page(&ctx.app, ctx.viewer.as_ref(), query).await?;
    let community = community.unwrap_or_default();
    let kind = kind.unwrap_or_default();
    let next = log.next_before.map(|before| {
        let mut link = url::form_urlencoded::Serializer::new(String::new());
        if !community.is_empty() {
            link.append_pair("community", &community);
        }
        if !kind.is_empty() {
            link.append_pair("kind", &kind);
        }
        link.append_pair("before", &before.to_string());
        format!("/modlog?{}", link.finish())
    });
    let page = ctx.page(ctx.t("modlog-title"), Meta::default()).await;
    let view = ModlogPage {
        page,
        items: log.items,
        community,
        kind,
        kinds: log_view::KINDS.iter().map(|(k, _)| *k).collect(),
        next,
    };
    Ok(ctx.ok(view.render()))
}
