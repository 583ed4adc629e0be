//! `/settings`: the reader's own account: their profile (display name and biography), where
//! they are logged in (and ending any of those sessions), their password, a copy of their
//! data, and deleting the account.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{see_other, when};
use crate::accounts::{self, Session, User};
use crate::api::auth::clear_session_cookie;
use crate::error::{Error, ErrorCode, Result};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    page: Page,
    username: String,
    email: String,
    display_name: String,
    bio: String,
    max_display_name: usize,
    max_bio: usize,
    sessions: Vec<Session>,
    current: i64,
    notice: Option<String>,
    profile_error: Option<String>,
    password_error: Option<String>,
    delete_error: Option<String>,
}

/// What the page says about the form just sent.
enum Feedback {
    None,
    Notice(String),
    /// The profile form was refused; what was typed is shown again.
    Profile(String, ProfileForm),
    Password(String),
    Delete(String),
}

impl SettingsPage {
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        when(&crate::time::rfc3339(*t))
    }
}

fn reader(ctx: &Ctx) -> Result<(&User, i64)> {
    match (&ctx.viewer, &ctx.session) {
        (Some(user), Some(session)) => Ok((user, session.id)),
        _ => Err(Error::new(ErrorCode::Unauthenticated, "log in first")),
    }
}

async fn render(ctx: &Ctx, status: StatusCode, feedback: Feedback) -> Result<Response> {
    let (user, current) = reader(ctx)?;
    let sessions = accounts::sessions_of(&ctx.app.db, user).await?;
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(ctx.t("settings-title"), meta).await;
    let mut view = SettingsPage {
        page,
        username: user.username.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone().unwrap_or_default(),
        bio: user.bio.clone().unwrap_or_default(),
        max_display_name: accounts::MAX_DISPLAY_NAME_CHARS,
        max_bio: accounts::MAX_BIO_CHARS,
        sessions,
        current,
        notice: None,
        profile_error: None,
        password_error: None,
        delete_error: None,
    };
    match feedback {
        Feedback::None => {}
        Feedback::Notice(m) => view.notice = Some(m),
        Feedback::Profile(m, typed) => {
            view.profile_error = Some(m);
            view.display_name = typed.display_name;
            view.bio = typed.bio;
        }
        Feedback::Password(m) => view.password_error = Some(m),
        Feedback::Delete(m) => view.delete_error = Some(m),
    }
    Ok(ctx.respond(status, view.render()))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    /// Set after a form was saved (post, redirect, get), to say so.
    saved: Option<String>,
}

pub async fn show(ctx: Ctx, Query(q): Query<ShowQuery>) -> Result<Response> {
    let feedback = match q.saved.as_deref() {
        Some("profile") => Feedback::Notice(ctx.t("settings-profile-saved").to_string()),
        _ => Feedback::None,
    };
    render(&ctx, StatusCode::OK, feedback).await
}

#[derive(Deserialize)]
pub struct Plain {}

/// `POST /settings/sessions/{id}/revoke`.
pub async fn revoke(Path(id): Path<i64>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let (user, current) = reader(&ctx)?;
    accounts::revoke_session(&ctx.app.db, user, id).await?;
    if id == current {
        let mut response = see_other("/");
        if let Ok(v) = HeaderValue::from_str(&clear_session_cookie(ctx.app.config.secure_cookies()))
        {
            response.headers_mut().append(SET_COOKIE, v);
        }
        return Ok(response);
    }
    Ok(see_other("/settings#sessions"))
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
}

/// `POST /settings/profile`: the display name and biography, sent on to the servers that
/// know the person.
pub async fn profile(submitted: Submitted<ProfileForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let (user, _) = reader(&ctx)?;
    let profile = accounts::Profile {
        display_name: Some(form.display_name.clone()),
        bio: Some(form.bio.clone()),
    };
    match accounts::update_profile(&ctx.app, user, profile).await {
        Ok(_) => Ok(see_other("/settings?saved=profile#profile-heading")),
        Err(e) if e.code() == ErrorCode::ProfileInvalid => {
            let message = e.message().to_string();
            render(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Feedback::Profile(message, form),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

/// `POST /settings/password`: other sessions end; this one stays.
pub async fn password(submitted: Submitted<PasswordForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let (user, current) = reader(&ctx)?;
    match accounts::change_password(&ctx.app.db, user, current, &form.current, &form.new).await {
        Ok(()) => {
            let notice = ctx.t("settings-password-changed").to_string();
            render(&ctx, StatusCode::OK, Feedback::Notice(notice)).await
        }
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::InvalidCredentials
                    | ErrorCode::PasswordTooShort
                    | ErrorCode::PasswordTooLong
            ) =>
        {
            let message = e.message().to_string();
            render(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Feedback::Password(message),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `GET /settings/export`: everything the account holds, as the JSON the API gives.
pub async fn export(ctx: Ctx) -> Result<Response> {
    let (user, _) = reader(&ctx)?;
    let data = accounts::export(&ctx.app, user).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(Error::internal)?;
    let name = format!("attachment; filename=\"copse-{}.json\"", user.username);
    let disposition = HeaderValue::from_str(&name).map_err(Error::internal)?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    password: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /settings/delete`: with the password and the consequences acknowledged.
pub async fn delete(submitted: Submitted<DeleteForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let (user, _) = reader(&ctx)?;
    if form.confirm.is_none() {
        let message = ctx.t("settings-delete-confirm-missing").to_string();
        return render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Feedback::Delete(message),
        )
        .await;
    }
    match accounts::delete_account(&ctx.app, user, &form.password).await {
        Ok(()) => {
            let mut response = see_other("/");
            if let Ok(v) =
                HeaderValue::from_str(&clear_session_cookie(ctx.app.config.secure_cookies()))
            {
                response.headers_mut().append(SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(e) if e.code() == ErrorCode::InvalidCredentials => {
            let message = e.message().to_string();
            render(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Feedback::Delete(message),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
