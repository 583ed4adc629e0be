//! Logging in and out, signing up, and choosing the interface's language.

use askama::Template;
use axum::extract::Query;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use serde::Deserialize;

use super::{safe_next, see_other};
use crate::accounts::{self, AccountStatus, NewAccount};
use crate::api::auth::{clear_session_cookie, session_cookie};
use crate::config::RegistrationMode;
use crate::error::{Error, ErrorCode, Result};
use crate::ratelimit::{Key, Limit};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, LANG_COOKIE, Meta, Page};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    next: String,
    username: String,
    error: Option<String>,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response> {
    if ctx.viewer.is_some() {
        return Ok(see_other(&safe_next(q.next.as_deref())));
    }
    let page = ctx.page(ctx.t("login-title"), quiet()).await;
    let view = LoginPage {
        page,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(
    headers: axum::http::HeaderMap,
    submitted: Submitted<LoginForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let app = &ctx.app;
    let tried = form.username.trim().to_lowercase();
    app.limiter
        .check(Limit::LoginPerAccount, Key::Login(&tried))?;
    let user_agent = user_agent(&headers);
    let ttl = app.config.session_ttl;
    let next = safe_next(form.next.as_deref());
    match accounts::login(&app.db, &form.username, &form.password, user_agent, ttl).await {
        Ok(done) => {
            let mut response = see_other(&next);
            let cookie = session_cookie(
                &done.token,
                ttl.as_secs() as i64,
                app.config.secure_cookies(),
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::InvalidCredentials | ErrorCode::AccountPending
            ) =>
        {
            let key = if e.code() == ErrorCode::AccountPending {
                "login-pending"
            } else {
                "login-wrong"
            };
            let page = ctx.page(ctx.t("login-title"), quiet()).await;
            let view = LoginPage {
                error: Some(page.t(key).to_string()),
                page,
                next,
                username: form.username,
            };
            Ok(ctx.respond(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct Plain {}

pub async fn logout(submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    if let Some(token) = ctx_token(&ctx) {
        accounts::logout(&ctx.app.db, &token).await?;
    }
    let mut response = see_other("/");
    if let Ok(value) = HeaderValue::from_str(&clear_session_cookie(ctx.app.config.secure_cookies()))
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

fn ctx_token(ctx: &Ctx) -> Option<String> {
    ctx.session_token.clone()
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    page: Page,
    mode: RegistrationMode,
    contact: Option<String>,
    form: SignupForm,
    errors: Vec<(&'static str, String)>,
    done: bool,
}

impl SignupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
}

pub async fn signup_form(ctx: Ctx) -> Result<Response> {
    if ctx.viewer.is_some() {
        return Ok(see_other("/"));
    }
    let page = ctx.page(ctx.t("signup-title"), quiet()).await;
    let view = SignupPage {
        page,
        mode: ctx.app.settings.get().registration_mode,
        contact: ctx.app.settings.get().contact,
        form: SignupForm::default(),
        errors: Vec::new(),
        done: false,
    };
    Ok(ctx.ok(view.render()))
}

pub async fn signup(
    headers: axum::http::HeaderMap,
    submitted: Submitted<SignupForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let mode = ctx.app.settings.get().registration_mode;
    let input = NewAccount {
        username: form.username.trim().to_string(),
        email: form.email.trim().to_string(),
        password: form.password.clone(),
        reason: Some(form.reason.trim().to_string()).filter(|r| !r.is_empty()),
    };
    let outcome = accounts::register(&ctx.app.db, mode, input).await;
    let (status, errors, done) = match outcome {
        Ok(registered) => {
            if registered.user.status() == AccountStatus::Active {
                // An open server: log the new member in at once.
                let ttl = ctx.app.config.session_ttl;
                let done = accounts::login(
                    &ctx.app.db,
                    &form.username,
                    &form.password,
                    user_agent(&headers),
                    ttl,
                )
                .await?;
                let mut response = see_other("/");
                let cookie = session_cookie(
                    &done.token,
                    ttl.as_secs() as i64,
                    ctx.app.config.secure_cookies(),
                );
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(SET_COOKIE, value);
                }
                return Ok(response);
            }
            (StatusCode::OK, Vec::new(), true)
        }
        Err(e) => match field_of(e.code()) {
            Some(field) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![(field, e.message().to_string())],
                false,
            ),
            None => return Err(e),
        },
    };
    let page = ctx.page(ctx.t("signup-title"), quiet()).await;
    let view = SignupPage {
        page,
        mode,
        contact: ctx.app.settings.get().contact,
        form: SignupForm {
            password: String::new(),
            ..form
        },
        errors,
        done,
    };
    Ok(ctx.respond(status, view.render()))
}

/// The form field an error is about.
fn field_of(code: ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::UsernameInvalid | ErrorCode::UsernameReserved | ErrorCode::UsernameTaken => {
            Some("username")
        }
        ErrorCode::EmailInvalid | ErrorCode::EmailTaken => Some("email"),
        ErrorCode::PasswordTooShort | ErrorCode::PasswordTooLong => Some("password"),
        ErrorCode::ReasonTooLong => Some("reason"),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /language`: the reader picks the interface's language; a cookie keeps it.
pub async fn language(submitted: Submitted<LanguageForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let lang = crate::web::i18n::Lang::from_code(&form.lang)
        .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "no such language"))?;
    if let Some(user) = &ctx.viewer {
        crate::accounts::set_language(&ctx.app.db, user, lang).await?;
    }
    let mut response = see_other(&safe_next(form.next.as_deref()));
    let secure = if ctx.app.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{secure}",
        lang.code()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

fn user_agent(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Meta for pages that belong to their reader alone.
fn quiet() -> Meta {
    Meta {
        noindex: true,
        ..Meta::default()
    }
}
