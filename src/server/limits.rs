//! Where the rate limits meet HTTP: the client address of a request, and the budgets of
//! the API (per address, with tighter ones for login and sign-up). The per-account budget
//! is counted where the session is read (`api::auth`), the inbox budgets at the inboxes.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::App;
use crate::error::Error;
use crate::ratelimit::{Key, Limit, client};

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The address a request comes from, as far as this server can tell (see
/// `http.trusted_proxies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    fn of(app: &App, extensions: &axum::http::Extensions, headers: &HeaderMap) -> ClientIp {
        // Without connection info (a router called directly, as some tests do) the request
        // can only be counted as coming from an unknown local caller.
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let forwarded: Vec<&str> = headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        ClientIp(client::client_address(
            peer,
            &forwarded,
            &app.config.trusted_proxies,
        ))
    }
}

impl FromRequestParts<App> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Infallible> {
        Ok(ClientIp::of(app, &parts.extensions, &parts.headers))
    }
}

/// The API's budgets per address: every request, and login and sign-up on their own,
/// counted before the handler does any work.
pub async fn api(State(app): State<App>, request: Request, next: Next) -> Result<Response, Error> {
    let ClientIp(ip) = ClientIp::of(&app, request.extensions(), request.headers());
    let limiter = &app.limiter;
    limiter.check(Limit::ApiPerIp, Key::Ip(ip))?;
    if request.method() == Method::POST {
        // The API router is nested under /api/v1, so it sees its own paths.
        match request.uri().path() {
            "/auth/login" => limiter.check(Limit::LoginPerIp, Key::Ip(ip))?,
            "/accounts" => limiter.check(Limit::RegistrationPerIp, Key::Ip(ip))?,
            _ => {}
        }
    }
    Ok(next.run(request).await)
}

/// The same budgets for the web interface's forms: logging in and signing up count as
/// they do through the API, and every form against the address's request budget.
pub async fn forms(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Result<Response, Error> {
    if request.method() == Method::POST {
        let ClientIp(ip) = ClientIp::of(&app, request.extensions(), request.headers());
        let limiter = &app.limiter;
        limiter.check(Limit::ApiPerIp, Key::Ip(ip))?;
        match request.uri().path() {
            "/login" => limiter.check(Limit::LoginPerIp, Key::Ip(ip))?,
            "/signup" => limiter.check(Limit::RegistrationPerIp, Key::Ip(ip))?,
            _ => {}
        }
    }
    Ok(next.run(request).await)
}
