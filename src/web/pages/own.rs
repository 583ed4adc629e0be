//! What a person does to what they wrote or joined: edit or delete their post or comment,
//! report someone else's, leave a community.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::see_other;
use crate::accounts::User;
use crate::discussions::{PostInput, comments, posts};
use crate::error::{Error, ErrorCode, ErrorKind, Result};
use crate::moderation::reports::{self, ReportInput};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

fn reader(ctx: &Ctx) -> Result<&User> {
    ctx.viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    page: Page,
    /// `/post/1` or `/comment/2`: where the form goes and returns.
    target: String,
    back: String,
    title: Option<String>,
    body: String,
    error: Option<String>,
}

fn quiet() -> Meta {
    Meta {
        noindex: true,
        ..Meta::default()
    }
}

/// `GET /post/{id}/edit`: the author's form, filled with what they wrote.
pub async fn edit_post_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let user = reader(&ctx)?;
    let post = posts::get(&ctx.app, Some(user), id).await?;
    if post.author.as_ref().map(|a| a.actor_id.as_str())
        != Some(&crate::federation::urls::Urls::new(&ctx.app.config).person(&user.username))
    {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "only its author edits a post",
        ));
    }
    let page = ctx.page(ctx.t("edit-post-title"), quiet()).await;
    let view = EditPage {
        page,
        target: format!("/post/{id}"),
        back: format!("/post/{id}"),
        title: Some(post.title),
        body: post.body.unwrap_or_default(),
        error: None,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /post/{id}/edit`.
pub async fn edit_post(Path(id): Path<i64>, submitted: Submitted<EditForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let current = posts::get(&ctx.app, Some(user), id).await?;
    let input = PostInput {
        title: form.title.trim().to_string(),
        body: Some(form.body.clone()).filter(|b| !b.trim().is_empty()),
        url: current.url,
        language: current.language,
        sensitive: current.sensitive,
        content_warning: current.content_warning,
        space: None,
    };
    match posts::edit(&ctx.app, user, id, input).await {
        Ok(_) => Ok(see_other(&format!("/post/{id}"))),
        Err(e) if e.code().kind() == ErrorKind::Invalid => {
            let page = ctx.page(ctx.t("edit-post-title"), quiet()).await;
            let view = EditPage {
                page,
                target: format!("/post/{id}"),
                back: format!("/post/{id}"),
                title: Some(form.title),
                body: form.body,
                error: Some(e.message().to_string()),
            };
            Ok(ctx.respond(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
        }
        Err(e) => Err(e),
    }
}

/// `GET /comment/{id}/edit`.
pub async fn edit_comment_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let user = reader(&ctx)?;
    let row = comments::own(&ctx.app, user, id).await?;
    let page = ctx.page(ctx.t("edit-comment-title"), quiet()).await;
    let view = EditPage {
        page,
        target: format!("/comment/{id}"),
        back: format!("/post/{}#comment-{id}", row.post_id),
        title: None,
        body: row.body.unwrap_or_default(),
        error: None,
    };
    Ok(ctx.ok(view.render()))
}

/// `POST /comment/{id}/edit`.
pub async fn edit_comment(Path(id): Path<i64>, submitted: Submitted<EditForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let view = comments::edit(&ctx.app, user, id, &form.body).await?;
    Ok(see_other(&format!("/post/{}#comment-{id}", view.post_id)))
}

#[derive(Deserialize)]
pub struct Plain {}

/// `POST /post/{id}/delete`: the author deletes their post (its thread goes with it).
pub async fn delete_post(Path(id): Path<i64>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = reader(&ctx)?;
    let post = posts::get(&ctx.app, Some(user), id).await?;
    posts::delete(&ctx.app, user, id).await?;
    let community = post
        .community
        .trim_start_matches('!')
        .split('@')
        .next()
        .unwrap_or("")
        .to_string();
    Ok(see_other(&format!("/c/{community}")))
}

/// `POST /comment/{id}/delete`.
pub async fn delete_comment(Path(id): Path<i64>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = reader(&ctx)?;
    let row = comments::own(&ctx.app, user, id).await?;
    comments::delete(&ctx.app, user, id).await?;
    Ok(see_other(&format!("/post/{}#comments", row.post_id)))
}

#[derive(Deserialize)]
pub struct ReportForm {
    reason: String,
}

/// `POST /post/{id}/report` and `/comment/{id}/report`: to the community's moderators.
pub async fn report_post(
    Path(id): Path<i64>,
    submitted: Submitted<ReportForm>,
) -> Result<Response> {
    report(submitted, Some(id), None).await
}

pub async fn report_comment(
    Path(id): Path<i64>,
    submitted: Submitted<ReportForm>,
) -> Result<Response> {
    report(submitted, None, Some(id)).await
}

async fn report(
    submitted: Submitted<ReportForm>,
    post_id: Option<i64>,
    comment_id: Option<i64>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let input = ReportInput {
        post_id,
        comment_id,
        person: None,
        reason: form.reason,
        forward: false,
    };
    reports::file(&ctx.app, user, input).await?;
    let back = match (post_id, comment_id) {
        (Some(id), _) => format!("/post/{id}?reported=1"),
        (_, Some(id)) => format!("/comment/{id}?reported=1"),
        _ => "/".into(),
    };
    Ok(see_other(&back))
}

/// `POST /c/{name}/leave`.
pub async fn leave(Path(name): Path<String>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = reader(&ctx)?;
    crate::membership::leave(&ctx.app, user, &name).await?;
    Ok(see_other(&format!("/c/{name}")))
}
