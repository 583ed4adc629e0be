//! `/c/{name}/moderate/conversations` and `/c/{name}/moderate/servers`: what people write
//! privately to the community's moderators (a Mastodon user's direct message to the group,
//! a member's note), answered as the community; and the servers this community refuses,
//! whatever the server as a whole allows.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::accounts::User;
use crate::db::community_domain_blocks::CommunityDomainBlockRow;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::policy::community as blocks;
use crate::moderation::conversations::{self, ConversationDetail, ConversationView};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

fn reader(ctx: &Ctx) -> Result<&User> {
    ctx.viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))
}

async fn frame(ctx: &Ctx, key: &str, name: &str) -> Page {
    let title = ctx.lang.tv(key, &[("community", name)]);
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    ctx.page(title, meta).await
}

#[derive(Template)]
#[template(path = "moderate_conversations.html")]
struct ConversationsPage {
    page: Page,
    name: String,
    conversations: Vec<ConversationView>,
    open: Option<ConversationDetail>,
}

impl ConversationsPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }
}

/// `GET /c/{name}/moderate/conversations`.
pub async fn list(ctx: Ctx, Path(name): Path<String>) -> Result<Response> {
    render(&ctx, name, None).await
}

/// `GET /c/{name}/moderate/conversations/{id}`: one conversation, with the answer form.
pub async fn show(ctx: Ctx, Path((name, id)): Path<(String, i64)>) -> Result<Response> {
    render(&ctx, name, Some(id)).await
}

async fn render(ctx: &Ctx, name: String, open: Option<i64>) -> Result<Response> {
    let user = reader(ctx)?;
    let list = conversations::list(&ctx.app, user, &name).await?;
    let open = match open {
        Some(id) => Some(conversations::show(&ctx.app, user, &name, id).await?),
        None => None,
    };
    let view = ConversationsPage {
        page: frame(ctx, "moderate-conversations-title", &name).await,
        name,
        conversations: list,
        open,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    body: String,
}

/// `POST /c/{name}/moderate/conversations/{id}`: the community answers.
pub async fn answer(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<AnswerForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    conversations::answer(&ctx.app, user, &name, id, &form.body).await?;
    Ok(see_other(&format!(
        "/c/{name}/moderate/conversations/{id}#answer"
    )))
}

#[derive(Template)]
#[template(path = "moderate_servers.html")]
struct ServersPage {
    page: Page,
    name: String,
    blocked: Vec<CommunityDomainBlockRow>,
}

/// `GET /c/{name}/moderate/servers`.
pub async fn servers(ctx: Ctx, Path(name): Path<String>) -> Result<Response> {
    let user = reader(&ctx)?;
    let blocked = blocks::list(&ctx.app, user, &name).await?;
    let view = ServersPage {
        page: frame(&ctx, "moderate-servers-title", &name).await,
        name,
        blocked,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct ServerForm {
    domain: String,
}

/// `POST /c/{name}/moderate/servers`: the community refuses a server.
pub async fn block(Path(name): Path<String>, submitted: Submitted<ServerForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    blocks::block(&ctx.app, user, &name, form.domain.trim()).await?;
    Ok(see_other(&format!("/c/{name}/moderate/servers")))
}

/// `POST /c/{name}/moderate/servers/unblock`.
pub async fn unblock(
    Path(name): Path<String>,
    submitted: Submitted<ServerForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    blocks::unblock(&ctx.app, user, &name, form.domain.trim()).await?;
    Ok(see_other(&format!("/c/{name}/moderate/servers")))
}
