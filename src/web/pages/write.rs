//! Writing from the browser: a new post, a reply at any depth, a vote. Each form answers
//! with a redirect to the page that shows the result (post/redirect/get), or with the
//! form again and what to fix.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::see_other;
use crate::accounts::User;
use crate::db::votes::Voted;
use crate::discussions::{PostInput, comments, posts, votes};
use crate::error::{Error, ErrorCode, Result};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

fn reader(ctx: &Ctx) -> Result<&User> {
    ctx.viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))
}

#[derive(Deserialize, Default)]
pub struct PostForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    content_warning: String,
    #[serde(default)]
    space: String,
}

#[derive(Template)]
#[template(path = "post_form.html")]
struct PostFormPage {
    page: Page,
    community: String,
    community_title: String,
    spaces: Vec<crate::membership::spaces::SpaceView>,
    form: PostForm,
    error: Option<String>,
}

/// `GET /c/{name}/submit`.
pub async fn post_form(ctx: Ctx, Path(name): Path<String>) -> Result<Response> {
    let user = reader(&ctx)?;
    form_page(&ctx, user, &name, PostForm::default(), None, StatusCode::OK).await
}

async fn form_page(
    ctx: &Ctx,
    user: &User,
    name: &str,
    form: PostForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    // A community elsewhere has no spaces here; its name is its handle.
    let (community_title, spaces) = if name.contains('@') {
        (format!("!{name}"), Vec::new())
    } else {
        let details = crate::communities::find_local(&ctx.app.db, name).await?;
        let spaces = crate::membership::spaces::list(&ctx.app, Some(user), name).await?;
        (details.community.title, spaces)
    };
    let title = ctx
        .lang
        .tv("write-title", &[("community", &community_title)]);
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(title, meta).await;
    let view = PostFormPage {
        page,
        community: name.to_string(),
        community_title,
        spaces,
        form,
        error,
    };
    Ok(ctx.respond(status, view.render()))
}

/// `POST /c/{name}/submit`.
pub async fn post(Path(name): Path<String>, submitted: Submitted<PostForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?.clone();
    let input = PostInput {
        title: form.title.trim().to_string(),
        body: Some(form.body.clone()).filter(|b| !b.trim().is_empty()),
        url: Some(form.url.trim().to_string()).filter(|u| !u.is_empty()),
        language: Some(form.language.trim().to_string()).filter(|l| !l.is_empty()),
        sensitive: !form.content_warning.trim().is_empty(),
        content_warning: Some(form.content_warning.trim().to_string()).filter(|c| !c.is_empty()),
        space: Some(form.space.clone()).filter(|s| !s.is_empty()),
    };
    let venue = if name.contains('@') {
        posts::venue(&ctx.app, &format!("!{name}")).await?
    } else {
        posts::venue(&ctx.app, &name).await?
    };
    match posts::create(&ctx.app, &user, venue, input).await {
        Ok(view) => Ok(see_other(&format!("/post/{}", view.id))),
        Err(e) if e.code().kind() == crate::error::ErrorKind::Invalid => {
            let message = e.message().to_string();
            form_page(
                &ctx,
                &user,
                &name,
                form,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    body: String,
    #[serde(default)]
    parent: Option<i64>,
}

/// `POST /post/{id}/reply`: a comment on the post, or under one of its comments.
pub async fn reply(Path(id): Path<i64>, submitted: Submitted<ReplyForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let comment = comments::create(&ctx.app, user, id, form.parent, &form.body).await?;
    Ok(see_other(&format!("/post/{id}#comment-{}", comment.id)))
}

#[derive(Deserialize)]
pub struct VoteForm {
    value: i32,
}

/// `POST /post/{id}/vote`.
pub async fn vote_post(Path(id): Path<i64>, submitted: Submitted<VoteForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    votes::vote(&ctx.app, user, Voted::Post(id), form.value).await?;
    Ok(see_other(&format!("/post/{id}")))
}

/// `POST /comment/{id}/vote`.
pub async fn vote_comment(Path(id): Path<i64>, submitted: Submitted<VoteForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    votes::vote(&ctx.app, user, Voted::Comment(id), form.value).await?;
    let post_id = ctx
        .app
        .db
        .run(move |c| Ok(crate::db::comments::find(c, id)?.map(|r| r.post_id)))
        .await?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?;
    Ok(see_other(&format!("/post/{post_id}#comment-{id}")))
}

#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    body: String,
}

/// `POST /preview`: Markdown as it will be shown, for the form's preview (the script asks
/// for it; the HTML is sanitized like every post's).
pub async fn preview(submitted: Submitted<PreviewForm>) -> Result<Response> {
    use axum::response::IntoResponse;
    let Submitted { ctx, form } = submitted;
    reader(&ctx)?;
    if form.body.chars().count() > 50_000 {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            "the text is too long",
        ));
    }
    let html = crate::content::render_markdown(&form.body);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}
