//! Protection of forms against cross-site forgery.
//!
//! Each browser holds a random token in a cookie (`SameSite=Lax`, `HttpOnly`); every form
//! carries the same token in a hidden field, and a form is accepted only when the two
//! match. A page elsewhere can make a browser send the cookie with a top-level navigation
//! but cannot read it, so it cannot write the field; and a cross-site POST does not carry
//! a Lax cookie at all. The `Origin` header, when a browser sends one, must be this server.

use axum::http::HeaderValue;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};

pub const CSRF_COOKIE: &str = "copse_csrf";

/// The form field that carries the token.
pub const FIELD: &str = "csrf";

/// The length of a token: 32 random bytes in base64url.
const LEN: usize = 43;

/// A browser's token: the one its cookie holds, or a new one to set.
pub struct Token {
    value: String,
    new: bool,
}

impl Token {
    pub fn of_request(parts: &Parts) -> Token {
        match super::page::cookie(parts, CSRF_COOKIE).filter(|v| well_formed(v)) {
            Some(value) => Token { value, new: false },
            None => {
                let mut bytes = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                Token {
                    value: URL_SAFE_NO_PAD.encode(bytes),
                    new: true,
                }
            }
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// The cookie to set when the browser had none.
    pub fn set_cookie(&self, secure: bool) -> Option<HeaderValue> {
        if !self.new {
            return None;
        }
        let secure = if secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}",
            self.value
        ))
        .ok()
    }

    /// Whether a submitted form carries this browser's token. A token made for this very
    /// request (the browser sent none) never matches: the form came from elsewhere.
    pub fn check(&self, submitted: &str) -> Result<()> {
        if self.new || !constant_time_eq(self.value.as_bytes(), submitted.as_bytes()) {
            return Err(forged());
        }
        Ok(())
    }
}

/// Refuses a request whose `Origin` names another site. A server on a loopback domain
/// (the quick start's `localhost:8080`) is also reached as `127.0.0.1`: any loopback
/// origin is this machine.
pub fn check_origin(parts: &Parts, config: &Config) -> Result<()> {
    let Some(origin) = parts.headers.get(axum::http::header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("");
    if origin == config.public_url() {
        return Ok(());
    }
    let local_origin = origin
        .strip_prefix("http://")
        .is_some_and(crate::config::is_loopback_domain);
    if local_origin && crate::config::is_loopback_domain(&config.domain) {
        return Ok(());
    }
    Err(forged())
}

fn forged() -> Error {
    Error::new(
        ErrorCode::FormExpired,
        "this form has expired or came from another site; reload the page and try again",
    )
}

fn well_formed(v: &str) -> bool {
    v.len() == LEN
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
