//! `POST /api/v1/auth/login` and `POST /api/v1/auth/logout`.

use axum::Json;
use axum::extract::State;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::auth::{Authenticated, clear_session_cookie, session_cookie};
use super::error::ApiJson;
use super::views::AccountView;
use crate::accounts;
use crate::app::App;
use crate::error::Result;
use crate::ratelimit::{Key, Limit};
use crate::time::rfc3339;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// A username or an email address.
    username: String,
    password: String,
}

pub async fn login(
    State(app): State<App>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response> {
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let ttl = app.config.session_ttl;
    // Counted per name tried, account or not, before the password is looked at.
    let tried = body.username.trim().to_lowercase();
    app.limiter
        .check(Limit::LoginPerAccount, Key::Login(&tried))?;
    let done = accounts::login(&app.db, &body.username, &body.password, user_agent, ttl).await?;
    let cookie = session_cookie(
        &done.token,
        ttl.as_secs() as i64,
        app.config.secure_cookies(),
    );
    let body = json!({
        "token": done.token,
        "token_type": "Bearer",
        "expires_at": rfc3339(done.expires_at),
        "account": AccountView::from(&done.user),
    });
    Ok((StatusCode::CREATED, [(SET_COOKIE, cookie)], Json(body)).into_response())
}

pub async fn logout(State(app): State<App>, auth: Authenticated) -> Result<Response> {
    accounts::logout(&app.db, &auth.token).await?;
    let cookie = clear_session_cookie(app.config.secure_cookies());
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}
