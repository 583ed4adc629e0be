//! `/u/{name}` for browsers: a person and their latest posts; a deleted account's page.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

use super::when;
use crate::accounts::AccountStatus;
use crate::discussions::{PostView, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::actors;
use crate::federation::protocol::actors::PropertyValue;
use crate::web::page::{Ctx, Meta, Page};

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    page: Page,
    /// The name shown: the display name, or the username.
    name: String,
    handle: String,
    /// The biography, rendered from Markdown and sanitized.
    bio_html: Option<String>,
    /// Credentials moderators verified, where the community's member list is public.
    credentials: Vec<PropertyValue>,
    gone: bool,
    posts: Vec<PostView>,
}

impl PersonPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    fn gone_text(&self) -> String {
        self.page.tv("person-gone", &[("handle", &self.handle)])
    }

    fn comments(&self, n: &i32) -> String {
        self.page.lang.count("post-comments", i64::from(*n))
    }
}

pub async fn show(ctx: Ctx, Path(name): Path<String>) -> Result<Response> {
    if name.contains('@') {
        return super::remote_person::show(ctx, name).await;
    }
    let lookup = name.clone();
    let user = ctx
        .app
        .db
        .run(move |c| Ok(crate::db::users::find_by_username(c, &lookup)?))
        .await?
        .filter(|u| u.status() != AccountStatus::Pending)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no person '{name}'")))?;
    let handle = format!("@{}@{}", user.username, ctx.app.config.domain);
    let actor_id = crate::federation::urls::Urls::new(&ctx.app.config).person(&user.username);
    if user.status() == AccountStatus::Deleted {
        let page = ctx.page(ctx.t("person-gone-title"), Meta::default()).await;
        let view = PersonPage {
            page,
            name: user.username,
            handle,
            bio_html: None,
            credentials: Vec::new(),
            gone: true,
            posts: Vec::new(),
        };
        return Ok(ctx.respond(StatusCode::GONE, view.render()));
    }
    let posts = posts::by_person(&ctx.app, ctx.viewer.as_ref(), &user.username, 20).await?;
    let credentials = actors::credential_fields(&ctx.app, user.id).await?;
    let name = user
        .display_name
        .clone()
        .unwrap_or_else(|| user.username.clone());
    let meta = Meta {
        description: user.bio.as_deref().map(|b| b.chars().take(300).collect()),
        canonical: Some(actor_id.clone()),
        og_type: "profile",
        activity: Some(actor_id),
        ..Meta::default()
    };
    let page = ctx.page(name.clone(), meta).await;
    let view = PersonPage {
        page,
        bio_html: user.bio.as_deref().map(crate::content::render_markdown),
        credentials,
        name,
        handle,
        gone: false,
        posts: posts
            .into_iter()
            .filter(|p| !p.removed && !p.deleted)
            .collect(),
    };
    Ok(ctx.ok(view.render()))
}
