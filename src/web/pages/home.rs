//! `/` for browsers: what this server is, its communities (searchable), how to join.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use crate::communities::{self, Listed};
use crate::config::RegistrationMode;
use crate::error::Result;
use crate::web::page::{Ctx, Meta, Page};

#[derive(Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    description_html: Option<String>,
    communities: Vec<Listed>,
    search: String,
    registration: RegistrationMode,
    contact: Option<String>,
    /// The server's rules, which every account here keeps.
    rules: Vec<String>,
}

impl Home {
    fn members(&self, count: &i64) -> String {
        self.page.lang.count("home-members", *count)
    }
}

pub async fn show(ctx: Ctx, Query(q): Query<HomeQuery>) -> Result<Response> {
    let search =
        q.q.unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
    let communities = communities::directory(&ctx.app.db, Some(&search)).await?;
    let config = &ctx.app.config;
    let settings = ctx.app.settings.get();
    let description_html = settings
        .description
        .as_deref()
        .map(crate::content::render_markdown);
    let meta = Meta {
        description: settings.description.clone(),
        canonical: Some(format!("{}/", config.public_url())),
        activity: Some(format!("{}/actor", config.public_url())),
        ..Meta::default()
    };
    let page = ctx.page(ctx.t("home-title"), meta).await;
    let home = Home {
        page,
        description_html,
        communities,
        search,
        registration: settings.registration_mode,
        contact: settings.contact.clone(),
        rules: settings.rules,
    };
    Ok(ctx.ok(home.render()))
}
