//! Who is calling: a bearer token (API clients) or the session cookie (the web UI).
//!
//! Cookie-authenticated writes are safe from cross-site forgery because every API write
//! takes a JSON body, which a foreign page cannot send without a CORS preflight, and the
//! cookie is `SameSite=Lax`.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;

use crate::accounts::{self, Session, User};
use crate::app::App;
use crate::error::{Error, ErrorCode};
use crate::ratelimit::{Key, Limit};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "copse_session";

/// A request made by a logged-in, active account.
pub struct Authenticated {
    pub user: User,
    pub session: Session,
    pub token: String,
}

impl FromRequestParts<App> for Authenticated {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        let token = bearer_token(parts)
            .or_else(|| cookie_token(parts))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::Unauthenticated,
                    "log in first: send Authorization: Bearer <token>",
                )
            })?;
        let (user, session) = accounts::authenticate(&app.db, &token).await?;
        // Counted here, where the account is known anyway: no lookup of its own.
        app.limiter
            .check(Limit::ApiPerAccount, Key::Account(user.id))?;
        Ok(Authenticated {
            user,
            session,
            token,
        })
    }
}

/// The person making a request if they sent a session, or nobody (an anonymous reader).
/// A session that is sent but not valid is refused, not taken as anonymous.
pub struct Viewer(pub Option<User>);

impl FromRequestParts<App> for Viewer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        if bearer_token(parts).is_none() && cookie_token(parts).is_none() {
            return Ok(Viewer(None));
        }
        let auth = Authenticated::from_request_parts(parts, app).await?;
        Ok(Viewer(Some(auth.user)))
    }
}

fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn cookie_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// The `Set-Cookie` value that stores a session in the browser.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}
