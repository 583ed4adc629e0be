//! Private conversations with a community's moderators: their queue and answers, and a
//! person of this server writing to them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Authenticated;
use super::error::ApiJson;
use crate::app::App;
use crate::error::Result;
use crate::moderation::conversations::{self, ConversationDetail, ConversationView, MessageView};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// Markdown.
    body: String,
}

/// `GET /api/v1/communities/{name}/conversations`: the moderators' queue.
pub async fn list(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<ConversationView>>> {
    Ok(Json(conversations::list(&app, &auth.user, &name).await?))
}

/// `GET /api/v1/communities/{name}/conversations/{id}`: one conversation, now read.
pub async fn show(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<Json<ConversationDetail>> {
    Ok(Json(
        conversations::show(&app, &auth.user, &name, id).await?,
    ))
}

/// `POST /api/v1/communities/{name}/conversations/{id}/messages`: a moderator answers, as
/// the community.
pub async fn answer(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<MessageView>)> {
    let message = conversations::answer(&app, &auth.user, &name, id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// `GET /api/v1/communities/{name}/conversation`: my conversation with its moderators.
pub async fn mine(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> Result<Json<ConversationDetail>> {
    Ok(Json(conversations::mine(&app, &auth.user, &name).await?))
}

/// `POST /api/v1/communities/{name}/conversation`: I write to its moderators.
pub async fn write(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<MessageView>)> {
    let message = conversations::write(&app, &auth.user, &name, &body.body).await?;
    Ok((StatusCode::CREATED, Json(message)))
}
