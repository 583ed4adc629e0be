//! `/admin/settings`: the server's name, what it is, its rules, how to reach its admins,
//! who may sign up, and whether the public moderation log names moderators; in force as
//! soon as they are saved.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::see_other;
use crate::config::RegistrationMode;
use crate::error::{Error, ErrorCode, Result};
use crate::instance::{self, Settings};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    page: Page,
    name: String,
    description: String,
    contact: String,
    rules: String,
    mode: &'static str,
    show_moderator_names: bool,
    notice: Option<String>,
    error: Option<String>,
}

fn require_admin(ctx: &Ctx) -> Result<&crate::accounts::User> {
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    if !user.is_admin {
        return Err(Error::new(ErrorCode::Forbidden, "for the server's admins"));
    }
    Ok(user)
}

async fn frame(ctx: &Ctx) -> Page {
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    ctx.page(ctx.t("admin-settings-title"), meta).await
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/settings`.
pub async fn show(ctx: Ctx, Query(q): Query<SavedQuery>) -> Result<Response> {
    require_admin(&ctx)?;
    let s = ctx.app.settings.get();
    let view = SettingsPage {
        page: frame(&ctx).await,
        name: s.name,
        description: s.description.unwrap_or_default(),
        contact: s.contact.unwrap_or_default(),
        rules: s.rules.join("\n"),
        mode: s.registration_mode.as_str(),
        show_moderator_names: s.show_moderator_names,
        notice: q.saved.map(|_| ctx.t("admin-settings-saved").to_string()),
        error: None,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    rules: String,
    mode: String,
    #[serde(default)]
    show_moderator_names: Option<String>,
}

/// `POST /admin/settings`.
pub async fn save(submitted: Submitted<SettingsForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = require_admin(&ctx)?;
    let mode: RegistrationMode = form
        .mode
        .parse()
        .map_err(|e: String| Error::new(ErrorCode::InvalidRequest, e))?;
    let new = Settings {
        name: form.name.clone(),
        description: Some(form.description.clone()),
        contact: Some(form.contact.clone()),
        rules: form.rules.lines().map(str::to_string).collect(),
        registration_mode: mode,
        show_moderator_names: form.show_moderator_names.is_some(),
    };
    match instance::update(&ctx.app, user, new).await {
        Ok(_) => Ok(see_other("/admin/settings?saved=1")),
        Err(e) if e.code() == ErrorCode::InvalidRequest => {
            let view = SettingsPage {
                page: frame(&ctx).await,
                name: form.name,
                description: form.description,
                contact: form.contact,
                rules: form.rules,
                mode: mode.as_str(),
                show_moderator_names: form.show_moderator_names.is_some(),
                notice: None,
                error: Some(e.message().to_string()),
            };
            Ok(ctx.respond(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
        }
        Err(e) => Err(e),
    }
}
