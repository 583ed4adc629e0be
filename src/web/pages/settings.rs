//! `/settings`: the reader's own account: where they are logged in (and ending any of
//! those sessions), their password, a copy of their data, and deleting the account.

use askama::Template;
use axum::extract::Path;
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
    email: String,
    sessions: Vec<Session>,
    current: i64,
    notice: Option<String>,
    password_error: Option<String>,
    delete_error: Option<String>,
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

async fn render(
    ctx: &Ctx,
    status: StatusCode,
    notice: Option<String>,
    password_error: Option<String>,
    delete_error: Option<String>,
) -> Result<Response> {
    let (user, current) = reader(ctx)?;
    let sessions = accounts::sessions_of(&ctx.app.db, user).await?;
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(ctx.t("settings-title"), meta).await;
    let view = SettingsPage {
        page,
        email: user.email.clone(),
        sessions,
        current,
        notice,
        password_error,
        delete_error,
    };
    Ok(ctx.respond(status, view.render()))
}

pub async fn show(ctx: Ctx) -> Result<Response> {
    render(&ctx, StatusCode::OK, None, None, None).await
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
            render(&ctx, StatusCode::OK, Some(notice), None, None).await
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
                None,
                Some(message),
                None,
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
            None,
            None,
            Some(message),
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
                None,
                None,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
