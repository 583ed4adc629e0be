//! `POST /inbox`, `/u/{name}/inbox`, `/c/{name}/inbox`: where other servers deliver.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::inbox::{self, InboxRequest, MAX_ACTIVITY_BYTES};
use crate::federation::local;
use crate::federation::urls::Urls;
use crate::ratelimit::{Key, Limit};
use crate::server::limits::ClientIp;

pub async fn shared(
    State(app): State<App>,
    client: ClientIp,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode> {
    per_address(&app, client)?;
    accept(&app, &method, &uri, &headers, body).await
}

pub async fn person(
    State(app): State<App>,
    client: ClientIp,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode> {
    per_address(&app, client)?;
    let id = Urls::new(&app.config).person(&name);
    require_actor(&app, &id).await?;
    accept(&app, &method, &uri, &headers, body).await
}

pub async fn community(
    State(app): State<App>,
    client: ClientIp,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode> {
    per_address(&app, client)?;
    let id = Urls::new(&app.config).community(&name);
    require_actor(&app, &id).await?;
    accept(&app, &method, &uri, &headers, body).await
}

/// Counted before anything else, the body unread: a flood costs as little as possible.
fn per_address(app: &App, ClientIp(ip): ClientIp) -> Result<()> {
    app.limiter.check(Limit::InboxPerIp, Key::Ip(ip))
}

async fn require_actor(app: &App, id: &str) -> Result<()> {
    match local::find(app, id).await? {
        Some(_) => Ok(()),
        None => Err(Error::new(ErrorCode::NotFound, format!("no inbox at {id}"))),
    }
}

async fn accept(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<StatusCode> {
    // Read at most one byte past the limit: enough to know it was exceeded, no more.
    let bytes = axum::body::to_bytes(body, MAX_ACTIVITY_BYTES + 1)
        .await
        .map_err(|_| {
            Error::new(
                ErrorCode::PayloadTooLarge,
                format!("an activity may be at most {MAX_ACTIVITY_BYTES} bytes"),
            )
        })?;
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    inbox::receive(
        app,
        InboxRequest {
            method,
            path_and_query,
            headers,
            body: &bytes,
        },
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}
