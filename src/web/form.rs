//! A submitted form: checked against forgery and for control characters, then read into
//! the handler's type. Handlers take `Submitted<T>` and never see an unchecked form.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;

use super::csrf::{self, FIELD};
use super::page::Ctx;
use crate::app::App;
use crate::error::{Error, ErrorCode};

/// The largest form a page sends: a post's body and its fields.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// A form that passed the checks, with the page context of its request.
pub struct Submitted<T> {
    pub ctx: Ctx,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<App> for Submitted<T> {
    type Rejection = Error;

    async fn from_request(req: Request, app: &App) -> Result<Self, Error> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, app).await?;
        csrf::check_origin(&parts, &app.config)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), app)
            .await
            .map_err(|_| Error::new(ErrorCode::PayloadTooLarge, "the form is too large"))?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err(Error::new(
                ErrorCode::PayloadTooLarge,
                "the form is too large",
            ));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| Error::new(ErrorCode::InvalidRequest, "the form is malformed"))?;
        if pairs.iter().any(|(k, v)| has_control(k) || has_control(v)) {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "the form holds control characters",
            ));
        }
        let token = pairs
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        ctx.csrf.check(token)?;
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            Error::new(
                ErrorCode::InvalidRequest,
                format!("the form is malformed: {e}"),
            )
        })?;
        Ok(Submitted { ctx, form })
    }
}

/// Control characters other than line breaks and tabs, which text areas send.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}
