//! `POST /api/v1/accounts` (sign up), `GET /api/v1/accounts/me`, `DELETE
//! /api/v1/accounts/me` (the person deletes their account) and `GET
//! /api/v1/accounts/me/export` (their data as one JSON document).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Authenticated, clear_session_cookie};
use super::error::ApiJson;
use super::views::AccountView;
use crate::accounts::{self, AccountStatus, NewAccount};
use crate::app::App;
use crate::error::Result;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn register(
    State(app): State<App>,
    ApiJson(body): ApiJson<SignUp>,
) -> Result<(StatusCode, Json<Value>)> {
    let registered = accounts::register(
        &app.db,
        app.config.registration_mode,
        NewAccount {
            username: body.username,
            email: body.email,
            password: body.password,
            reason: body.reason,
        },
    )
    .await?;
    let user = &registered.user;
    let (status, next) = match user.status() {
        AccountStatus::Active => (StatusCode::CREATED, "log in with POST /api/v1/auth/login"),
        // A fresh account is never deleted; answered as waiting, the safe reading.
        AccountStatus::Pending | AccountStatus::Deleted => (
            StatusCode::ACCEPTED,
            "an admin will review the sign-up; you can log in once it is approved",
        ),
    };
    Ok((
        status,
        Json(json!({ "account": AccountView::from(user), "next": next })),
    ))
}

pub async fn me(auth: Authenticated) -> Json<AccountView> {
    Json(AccountView::from(&auth.user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deletion {
    /// The account's password again: deleting is not left to a stolen session alone.
    password: String,
}

pub async fn delete_me(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<Deletion>,
) -> Result<Response> {
    accounts::delete_account(&app, &auth.user, &body.password).await?;
    let cookie = clear_session_cookie(app.config.secure_cookies());
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

pub async fn export(State(app): State<App>, auth: Authenticated) -> Result<Response> {
    let document = accounts::export(&app, &auth.user).await?;
    let disposition = format!(
        "attachment; filename=\"copse-export-{}.json\"",
        auth.user.username
    );
    Ok(([(CONTENT_DISPOSITION, disposition)], Json(document)).into_response())
}
