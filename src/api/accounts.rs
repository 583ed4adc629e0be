//! `POST /api/v1/accounts` (sign up), `GET /api/v1/accounts/me`, `PATCH
//! /api/v1/accounts/me` (display name and biography), `DELETE
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
        app.settings.get().registration_mode,
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

/// A profile change: a field left out stays as it is; `null` or `""` clears it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    #[serde(default, deserialize_with = "present")]
    display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    bio: Option<Option<String>>,
}

/// A field that is there, even as `null` (which a plain `Option` cannot tell from absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub async fn update_me(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<ProfileChange>,
) -> Result<Json<AccountView>> {
    let user = &auth.user;
    let profile = accounts::Profile {
        display_name: body.display_name.unwrap_or(user.display_name.clone()),
        bio: body.bio.unwrap_or(user.bio.clone()),
    };
    let updated = accounts::update_profile(&app, user, profile).await?;
    Ok(Json(AccountView::from(&updated)))
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
