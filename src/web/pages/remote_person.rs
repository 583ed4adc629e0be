//! `/u/name@host`: a person of another server, as known here: who they say they are, the
//! public statuses of theirs that reached this server, and following them (their statuses
//! then reach the reader's feed).

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::db::followed_notes::{self, NoteRow};
use crate::db::follows as db_follows;
use crate::db::remote_actors::{self, CachedActor};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::follows::{self, FollowState};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

#[derive(Template)]
#[template(path = "remote_person.html")]
struct RemotePersonPage {
    page: Page,
    /// `name@host`, as in the address of this page.
    name: String,
    title: String,
    handle: String,
    actor_id: String,
    summary_html: Option<String>,
    /// The reader's follow, if any: its id and whether it was accepted.
    follow: Option<(i64, bool)>,
    notes: Vec<NoteRow>,
}

impl RemotePersonPage {
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        when(&crate::time::rfc3339(*t))
    }
}

/// The cached person `name@host`; a community of the same name is not them.
async fn person(ctx: &Ctx, name: &str) -> Result<CachedActor> {
    let (username, domain) = name
        .split_once('@')
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such person"))?;
    let (username, domain) = (username.to_string(), domain.to_ascii_lowercase());
    ctx.app
        .db
        .run(move |c| Ok(remote_actors::find_person_by_handle(c, &username, &domain)?))
        .await?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such person known here"))
}

pub async fn show(ctx: Ctx, name: String) -> Result<Response> {
    let actor = person(&ctx, &name).await?;
    let follow = match &ctx.viewer {
        Some(user) => {
            let me = Urls::new(&ctx.app.config).person(&user.username);
            let target = actor.ap_id.clone();
            ctx.app
                .db
                .run(move |c| Ok(db_follows::find_pair(c, &me, &target)?))
                .await?
                .map(|row| {
                    let accepted = FollowState::parse(&row.state) == FollowState::Accepted;
                    (row.id, accepted)
                })
        }
        None => None,
    };
    let id = actor.id;
    let notes = ctx
        .app
        .db
        .run(move |c| Ok(followed_notes::of_authors(c, &[id], None, 20)?))
        .await?
        .into_iter()
        .map(|(note, _)| note)
        .collect();
    let title = actor
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| actor.username.clone());
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(title.clone(), meta).await;
    let view = RemotePersonPage {
        page,
        name,
        title,
        handle: format!("@{}@{}", actor.username, actor.domain),
        actor_id: actor.ap_id.clone(),
        summary_html: actor.summary.as_deref().map(crate::content::sanitize),
        follow,
        notes,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct Plain {}

/// `POST /u/{name@host}/follow`.
pub async fn follow(Path(name): Path<String>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    let actor = person(&ctx, &name).await?;
    let target = follows::resolve(&ctx.app, &actor.ap_id).await?;
    follows::follow(&ctx.app, user, target).await?;
    Ok(see_other(&format!("/u/{name}")))
}

#[derive(Deserialize)]
pub struct UnfollowForm {
    follow: i64,
}

/// `POST /u/{name@host}/unfollow`.
pub async fn unfollow(
    Path(name): Path<String>,
    submitted: Submitted<UnfollowForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    follows::unfollow(&ctx.app, user, form.follow).await?;
    Ok(see_other(&format!("/u/{name}")))
}
