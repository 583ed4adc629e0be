//! The stylesheet and the script, compiled into the binary and served with a version in
//! their address, so browsers keep them until the next release.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("static/copse.css");
const JS: &str = include_str!("static/copse.js");

/// Changes with every release: the query string that makes cached copies stale.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let (kind, body) = match file.as_str() {
        "copse.css" => ("text/css; charset=utf-8", CSS),
        "copse.js" => ("text/javascript; charset=utf-8", JS),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (CONTENT_TYPE, kind),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}
