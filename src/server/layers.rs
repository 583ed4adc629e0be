//! The layers around every route, outermost first: request id, tracing, metrics, the error
//! shape, compression, the request timeout and the body-size limit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::App;
use crate::error::{Error, ErrorCode};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub(super) fn apply(routes: Router, app: App) -> Router {
    let config = app.config.clone();
    // Router::layer wraps what came before, so the innermost layer is applied first.
    routes
        .layer(middleware::from_fn(refuse_control_characters))
        .layer(middleware::from_fn_with_state(
            config.http_max_body_bytes,
            limit_body,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.http_request_timeout,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::map_response(uniform_errors))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            crate::web::errors::for_browsers,
        ))
        .layer(middleware::from_fn_with_state(app, record_metrics))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, RequestIds::default()))
}

/// Where a blocklist is imported: its bodies may be larger than any other (see
/// `blocklist_csv::MAX_BYTES`).
const IMPORT_PATH: &str = "/api/v1/admin/domains/import";

/// Refuses bodies over the limit with 413: at once when `Content-Length` says so, else
/// when reading passes it. Blocklist imports have a limit of their own.
async fn limit_body(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let limit = if req.uri().path() == IMPORT_PATH {
        limit.max(crate::federation::policy::blocklist_csv::MAX_BYTES)
    } else {
        limit
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Error::new(ErrorCode::PayloadTooLarge, "the request body is too large")
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// A path or query holding a control character (`%00`, a newline) names nothing copse
/// serves; PostgreSQL would refuse a NUL in a lookup with an error. Refused at the door,
/// the same way on both backends.
async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let raw = match uri.query() {
        Some(query) => format!("{}?{query}", uri.path()),
        None => uri.path().to_string(),
    };
    if crate::content::control::url_has_control(&raw) {
        return Error::new(
            ErrorCode::InvalidRequest,
            "the address holds a control character",
        )
        .into_response();
    }
    next.run(req).await
}

/// Request ids: a per-process random prefix and a counter, short and unique enough to find
/// one request in the logs.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
    counter: std::sync::Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds {
            prefix: rand::random(),
            counter: Default::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

async fn record_metrics(State(app): State<App>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let started = Instant::now();
    app.metrics.request_started();
    let response = next.run(req).await;
    let elapsed: Duration = started.elapsed();
    app.metrics
        .request_finished(&method, &route, response.status().as_u16(), elapsed);
    response
}

/// Gives errors produced outside the handlers (the body limit, the timeout, axum's own
/// path and query rejections) the same JSON shape as the API's own errors.
async fn uniform_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_plain = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    if !is_plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Keep the rejection's own explanation (e.g. which path segment was wrong) when short.
    let original = axum::body::to_bytes(body, 1024)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| !t.trim().is_empty());
    let (code, fallback) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        StatusCode::SERVICE_UNAVAILABLE => (ErrorCode::RequestTimeout, "the request took too long"),
        StatusCode::REQUEST_TIMEOUT => (ErrorCode::RequestTimeout, "the request took too long"),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "not found"),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "method not allowed"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (ErrorCode::UnsupportedMediaType, "unsupported media type")
        }
        s if s.is_client_error() => (ErrorCode::InvalidRequest, "the request is malformed"),
        _ => (ErrorCode::Internal, "internal error"),
    };
    let message = original.unwrap_or_else(|| fallback.to_string());
    let mut shaped = Error::new(code, message).into_response();
    *shaped.status_mut() = status;
    if let Some(id) = parts.headers.get(REQUEST_ID) {
        shaped.headers_mut().insert(REQUEST_ID, id.clone());
    }
    shaped
}
