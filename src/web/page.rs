//! What every page knows about its request: who is reading, in which language, the token
//! its forms carry, and what waits for the reader. Built once per request by the `Ctx`
//! extractor, handed to the template as `page`, and turned into the response's headers.

use axum::extract::FromRequestParts;
use axum::http::header::{
    ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_SECURITY_POLICY, SET_COOKIE, VARY,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::csrf;
use super::i18n::Lang;
use crate::accounts::{self, User};
use crate::app::App;
use crate::error::Error;

/// What a page may load and where its forms may go: its own scripts and styles only (no
/// inline script, so injected markup cannot run), images from anywhere secure, forms to
/// itself or (for "follow from your own server") on to another server over https, and no
/// framing by other sites.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a server on this machine (a quick start, a development setup): the same,
/// except that "follow from your own server" may send the visitor to another server on
/// this machine, which speaks plain http like this one.
pub const CSP_LOOPBACK: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; form-action 'self' https: http://localhost:* http://127.0.0.1:* http://[::1]:*; frame-ancestors 'none'; base-uri 'none'";

/// The Content-Security-Policy of every page of this server.
pub fn csp(config: &crate::config::Config) -> &'static str {
    if crate::config::is_loopback_domain(&config.domain) {
        CSP_LOOPBACK
    } else {
        CSP
    }
}

/// The cookie that keeps a reader's chosen language.
pub const LANG_COOKIE: &str = "copse_lang";

/// A page's request: the reader and their language.
pub struct Ctx {
    pub app: App,
    pub viewer: Option<User>,
    /// The session cookie's token and its session, when it named a valid one.
    pub session_token: Option<String>,
    pub session: Option<accounts::Session>,
    pub lang: Lang,
    pub csrf: csrf::Token,
    /// The path and query asked for, to come back to after logging in.
    pub here: String,
}

impl FromRequestParts<App> for Ctx {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        // A session that is no longer valid (expired, revoked) reads as logged out: a
        // browser keeps its cookie, and a page must still show.
        let (viewer, session_token, session) = match cookie(parts, crate::api::auth::SESSION_COOKIE)
        {
            Some(token) => match accounts::authenticate(&app.db, &token).await {
                Ok((user, session)) => (Some(user), Some(token), Some(session)),
                Err(_) => (None, None, None),
            },
            None => (None, None, None),
        };
        // This browser's choice, else the account's, else what the browser asks for.
        let lang = cookie(parts, LANG_COOKIE)
            .and_then(|c| Lang::from_code(&c))
            .or_else(|| {
                viewer
                    .as_ref()
                    .and_then(|u: &accounts::User| u.language.as_deref())
                    .and_then(Lang::from_code)
            })
            .unwrap_or_else(|| {
                parts
                    .headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_accept_language)
                    .unwrap_or_default()
            });
        let csrf = csrf::Token::of_request(parts);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Ctx {
            app: app.clone(),
            viewer,
            session_token,
            session,
            lang,
            csrf,
            here,
        })
    }
}

/// A cookie's value from the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// What the site header and the document head show, the same on every page.
pub struct Page {
    pub lang: Lang,
    pub site_name: String,
    pub domain: String,
    /// `https://domain`, for telling this server's addresses from others'.
    pub public_url: String,
    pub title: String,
    pub viewer: Option<Reader>,
    pub csrf: String,
    pub unread: i64,
    pub here: String,
    pub meta: Meta,
}

/// The logged-in reader as the header shows them.
pub struct Reader {
    pub username: String,
    pub is_admin: bool,
    /// They moderate a community here, or administer the server: the header links to
    /// their moderation page.
    pub moderates: bool,
    /// How many things wait for them there (applications, reports, sign-ups).
    pub waiting: i64,
}

/// What a page tells link previews, search engines and fediverse software about itself.
#[derive(Default)]
pub struct Meta {
    pub description: Option<String>,
    /// The page's own address, absolute.
    pub canonical: Option<String>,
    /// `website`, `profile` or `article`, for OpenGraph.
    pub og_type: &'static str,
    /// The ActivityPub object this page shows, for `rel=alternate`.
    pub activity: Option<String>,
    pub feeds: Vec<Feed>,
    /// Pages that only their reader should see (forms, settings) are kept out of indexes.
    pub noindex: bool,
}

pub struct Feed {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
}

impl Page {
    /// The message `key` in the reader's language.
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        self.lang.t(key)
    }

    /// The message `key` with variables.
    pub fn tv(&self, key: &str, vars: &[(&str, &str)]) -> String {
        self.lang.tv(key, vars)
    }

    pub fn og_type(&self) -> &'static str {
        if self.meta.og_type.is_empty() {
            "website"
        } else {
            self.meta.og_type
        }
    }

    /// The stylesheet's and script's version, so browsers may cache them for good.
    pub fn asset_version(&self) -> &'static str {
        super::assets::VERSION
    }

    pub fn languages(&self) -> [Lang; 2] {
        Lang::ALL
    }
}

impl Ctx {
    /// The page frame for a page titled `title`.
    pub async fn page(&self, title: impl Into<String>, meta: Meta) -> Page {
        let (unread, waiting) = match &self.viewer {
            Some(user) => {
                let user = user.clone();
                self.app
                    .db
                    .run(move |c| {
                        let unread = crate::db::notifications::unread_count(c, user.id)?;
                        let waiting = crate::moderation::waiting::of(c, &user)?;
                        Ok((unread, Some(waiting)))
                    })
                    .await
                    .unwrap_or((0, None))
            }
            None => (0, None),
        };
        Page {
            lang: self.lang,
            site_name: self.app.settings.get().name,
            domain: self.app.config.domain.clone(),
            public_url: self.app.config.public_url(),
            title: title.into(),
            viewer: self.viewer.as_ref().map(|u| Reader {
                username: u.username.clone(),
                is_admin: u.is_admin,
                moderates: u.is_admin || waiting.as_ref().is_some_and(|w| w.has_queues()),
                waiting: waiting.as_ref().map_or(0, |w| w.total()),
            }),
            csrf: self.csrf.value().to_string(),
            unread,
            here: self.here.clone(),
            meta,
        }
    }

    /// The message `key` in the reader's language.
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        self.lang.t(key)
    }

    /// A rendered template as the response, with the headers every page carries.
    pub fn respond(&self, status: StatusCode, html: askama::Result<String>) -> Response {
        let body = match html {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "a page failed to render");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><title>Error</title><h1>Error</h1>".to_string()),
                )
                    .into_response();
            }
        };
        let mut response = (status, Html(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            VARY,
            HeaderValue::from_static("Accept, Cookie, Accept-Language"),
        );
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp(&self.app.config)),
        );
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(self.lang.code()));
        // A page shows its reader's name, counts and tokens: never for a shared cache.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        if let Some(cookie) = self.csrf.set_cookie(self.app.config.secure_cookies()) {
            headers.append(SET_COOKIE, cookie);
        }
        response
    }

    pub fn ok(&self, html: askama::Result<String>) -> Response {
        self.respond(StatusCode::OK, html)
    }
}

#[cfg(test)]
mod csp_tests {
    use super::*;

    #[test]
    fn only_a_server_on_this_machine_lets_forms_go_to_plain_http() {
        assert!(!CSP.contains("http:") && !CSP.contains("http://"));
        assert!(CSP_LOOPBACK.contains("form-action 'self' https: http://localhost:*"));
        // Nothing else differs.
        let without =
            CSP_LOOPBACK.replace(" http://localhost:* http://127.0.0.1:* http://[::1]:*", "");
        assert_eq!(without, CSP);
    }
}
