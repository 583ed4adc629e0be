//! How errors reach API clients: one shape, `{"error":{"code":"…","message":"…"}}`, with
//! the HTTP status chosen from the error's kind. Rejections from axum's extractors are
//! turned into the same shape so clients never have to parse plain-text errors.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::{Error, ErrorCode, ErrorKind};

/// The HTTP status for an error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidJson
        | ErrorCode::InvalidRequest
        | ErrorCode::ActivityInvalid
        | ErrorCode::HandleInvalid => StatusCode::BAD_REQUEST,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        _ => match code.kind() {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Timeout | ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Config | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        },
    }
}

/// The error body as JSON.
pub fn error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    json!({ "error": { "code": code.as_str(), "message": message } })
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = status_of(self.code());
        if status.is_server_error() {
            tracing::error!(code = self.code().as_str(), error = %self, "request failed");
        }
        // What failed inside the server (a database's address, user or file) is for its
        // logs, never for clients: they get the code and a fixed sentence.
        let message = match self.code() {
            ErrorCode::DatabaseUnavailable => "the database is unavailable; retry later",
            _ => self.message(),
        };
        let mut response = (status, Json(error_body(self.code(), message))).into_response();
        // Kept for the layer that shows errors to browsers as pages.
        response.extensions_mut().insert(self.code());
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"copse\""),
            );
        }
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// `Json<T>` whose rejections use copse's error shape and codes.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| Error::new(ErrorCode::PayloadTooLarge, "the request body is too large"))?;
        refuse_nul(&bytes)?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A NUL character (`\u0000` in JSON) has no place in anything people write; PostgreSQL
/// cannot store one, and SQLite would store and federate it. Refused alike on both.
pub fn refuse_nul(json: &[u8]) -> Result<(), Error> {
    if crate::content::control::json_has_nul(json) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "the body holds a NUL character (\\u0000)",
        ));
    }
    Ok(())
}

fn json_rejection(rejection: JsonRejection) -> Error {
    let status = rejection.status();
    let text = rejection.body_text();
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Error::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        ),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
            Error::new(ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        JsonRejection::JsonDataError(_) => Error::new(ErrorCode::InvalidRequest, text),
        _ => Error::new(ErrorCode::InvalidJson, text),
    }
}
