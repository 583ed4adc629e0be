//! Errors as pages for browsers. Handlers and layers fail with copse's one error type,
//! which answers JSON; for a browser (it asks for `text/html`) outside the API, this layer
//! replaces that body with a page in the reader's language, keeping the status and the
//! headers that matter (`Retry-After`, the request id).

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::i18n::Lang;
use super::page::{Ctx, LANG_COOKIE, Meta, Page};
use crate::app::App;
use crate::error::ErrorCode;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    heading: String,
    explanation: String,
    detail: Option<String>,
}

/// Whether a request comes from a browser navigating (not an API or ActivityPub client).
pub fn is_browser(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"))
        && !crate::federation::routes::wants_activity_json(headers)
}

pub async fn for_browsers(State(app): State<App>, req: Request, next: Next) -> Response {
    let browser = is_browser(req.headers()) && !req.uri().path().starts_with("/api/");
    let lang = browser.then(|| language(req.headers()));
    // What the page's header needs (who is reading, their form token), kept aside in
    // case the answer is an error.
    let asked = browser.then(|| {
        let mut asked = Request::new(());
        *asked.uri_mut() = req.uri().clone();
        *asked.headers_mut() = req.headers().clone();
        asked.into_parts().0
    });
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let response = next.run(req).await;
    let status = response.status();
    let Some(lang) = lang else {
        return response;
    };
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if is_html {
        return response;
    }
    let code = response.extensions().get::<ErrorCode>().copied();
    let (mut parts, _) = response.into_parts();
    // A logged-in reader keeps their header (name, notifications, log out) on an error
    // page, except when the server is overloaded or failing, where looking up the session
    // would only add to the trouble.
    let ctx = match asked {
        Some(mut asked) if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS => {
            Ctx::from_request_parts(&mut asked, &app).await.ok()
        }
        _ => None,
    };
    let page = render(&app, ctx.as_ref(), lang, status, code, &here).await;
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(axum::http::header::CONTENT_ENCODING);
    parts.headers.remove(axum::http::header::WWW_AUTHENTICATE);
    let (new_parts, body) = page.into_response().into_parts();
    for (name, value) in new_parts.headers.iter() {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, body)
}

/// The reader's language from the cookie or the browser.
pub fn language(headers: &HeaderMap) -> Lang {
    let from_cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == LANG_COOKIE)
        .and_then(|(_, v)| Lang::from_code(v));
    from_cookie.unwrap_or_else(|| {
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    })
}

async fn render(
    app: &App,
    ctx: Option<&Ctx>,
    lang: Lang,
    status: StatusCode,
    code: Option<ErrorCode>,
    here: &str,
) -> Response {
    let key = match status.as_u16() {
        401 => "error-401",
        403 if code == Some(ErrorCode::FormExpired) => "error-form-expired",
        403 => "error-403",
        404 | 410 => "error-404",
        413 => "error-413",
        429 => "error-429",
        503 => "error-503",
        400..=499 => "error-400",
        _ => "error-500",
    };
    let title = lang.t(&format!("{key}-title")).to_string();
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let frame = match ctx {
        Some(ctx) => ctx.page(title.clone(), meta).await,
        None => Page {
            lang,
            site_name: app.settings.get().name,
            domain: app.config.domain.clone(),
            public_url: app.config.public_url(),
            title: title.clone(),
            viewer: None,
            csrf: String::new(),
            unread: 0,
            here: here.to_string(),
            meta,
        },
    };
    let view = ErrorPage {
        page: frame,
        heading: title,
        explanation: lang.t(&format!("{key}-text")).to_string(),
        detail: code.map(|c| c.as_str().to_string()),
    };
    if let Some(ctx) = ctx {
        return ctx.respond(status, view.render());
    }
    let mut response = match view.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => {
            Html("<!doctype html><title>Error</title><h1>Error</h1>".to_string()).into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(super::page::csp(&app.config)),
    );
    headers.insert(
        axum::http::header::CONTENT_LANGUAGE,
        axum::http::HeaderValue::from_static(lang.code()),
    );
    response
}
