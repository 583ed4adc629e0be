//! Communities on other servers, taken part in from here: `/search` finds one (or a
//! person) by its handle (`!name@host`) or address and fetches it; `/c/name@host` shows what this server
//! knows of it (its posts that reached here), with following and posting as for a local
//! community. Posting and replying go through the same forms as local ones.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::communities::Venue;
use crate::db::follows as db_follows;
use crate::db::posts::Sort;
use crate::discussions::{PostView, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::LocalActor;
use crate::federation::urls::Urls;
use crate::follows::{self, FollowState, Target};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

#[derive(Deserialize)]
pub struct InteractionQuery {
    #[serde(default)]
    uri: String,
}

/// `GET /authorize_interaction?uri=`: this server as someone's home server in "follow from
/// your own server" (Mastodon's address for it, which other servers send their visitors
/// to, and which copse's WebFinger names as the subscribe template). The person logs in if
/// need be, and finds the community or person here, ready to follow.
pub async fn authorize_interaction(
    ctx: Ctx,
    Query(q): Query<InteractionQuery>,
) -> Result<Response> {
    let uri = q.uri.trim();
    if uri.is_empty() || crate::content::control::url_has_control(uri) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "name what to interact with in uri",
        ));
    }
    let encoded: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
    let search = format!("/search?q={encoded}");
    if ctx.viewer.is_none() {
        let next: String = url::form_urlencoded::byte_serialize(search.as_bytes()).collect();
        return Ok(see_other(&format!("/login?next={next}")));
    }
    Ok(see_other(&search))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /search?q=`: a handle or an address is looked up (on its server if need be); words
/// search this server's directory.
pub async fn search(ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response> {
    let query = q.q.trim();
    let looks_remote = query.starts_with("https://")
        || query.starts_with("http://")
        || query.trim_start_matches(['!', '@']).contains('@');
    if !looks_remote {
        let words: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        return Ok(see_other(&format!("/?q={words}")));
    }
    // Looking up on other servers is for people with an account, as in the API.
    if ctx.viewer.is_none() {
        return Err(Error::new(
            ErrorCode::Unauthenticated,
            "log in to look up communities on other servers",
        ));
    }
    match follows::resolve(&ctx.app, query).await? {
        Target::Remote(actor) if actor.is_group() => Ok(see_other(&format!(
            "/c/{}@{}",
            actor.username, actor.domain
        ))),
        Target::Remote(actor) => Ok(see_other(&format!(
            "/u/{}@{}",
            actor.username, actor.domain
        ))),
        Target::Local(LocalActor::Community(c)) => Ok(see_other(&format!("/c/{}", c.name))),
        Target::Local(LocalActor::Person(u)) => Ok(see_other(&format!("/u/{}", u.username))),
        Target::Local(LocalActor::Instance) => Ok(see_other("/")),
    }
}

#[derive(Template)]
#[template(path = "remote_community.html")]
struct RemotePage {
    page: Page,
    title: String,
    handle: String,
    actor_id: String,
    /// What the community says of itself (Lemmy keeps its rules there too), sanitized.
    summary_html: Option<String>,
    /// The reader's follow, if any: its id and whether it was accepted.
    follow: Option<(i64, bool)>,
    posts: Vec<PostView>,
    next: Option<String>,
    name: String,
}

impl RemotePage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    fn comments(&self, n: &i32) -> String {
        self.page.lang.count("post-comments", i64::from(*n))
    }
}

/// `/c/name@host` for browsers: a community elsewhere, as known here.
pub async fn show(ctx: Ctx, name: String, after: Option<i64>) -> Result<Response> {
    let venue = posts::venue_known(&ctx.app, &format!("!{name}")).await?;
    let Venue::Remote(actor) = &venue else {
        return Err(Error::new(ErrorCode::NotFound, "no such community"));
    };
    let follow = match &ctx.viewer {
        Some(user) => {
            let me = Urls::new(&ctx.app.config).person(&user.username);
            let target = actor.ap_id.clone();
            ctx.app
                .db
                .run(move |c| Ok(db_follows::find_pair(c, &me, &target)?))
                .await?
                .map(|row| {
                    (
                        row.id,
                        FollowState::parse(&row.state) == FollowState::Accepted,
                    )
                })
        }
        None => None,
    };
    let posts = posts::list(&ctx.app, ctx.viewer.as_ref(), &venue, Sort::New, after, 25).await?;
    let next = (posts.len() == 25)
        .then(|| posts.last().map(|p| format!("/c/{name}?after={}", p.id)))
        .flatten();
    let title = actor
        .display_name
        .clone()
        .unwrap_or_else(|| actor.username.clone());
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(title.clone(), meta).await;
    let view = RemotePage {
        page,
        title,
        handle: format!("!{}@{}", actor.username, actor.domain),
        actor_id: actor.ap_id.clone(),
        // Sanitized when stored, and again here: the sanitizer may have learnt since.
        summary_html: actor.summary.as_deref().map(crate::content::sanitize),
        follow,
        posts,
        next,
        name,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct Plain {}

/// `POST /c/{name}/follow`: follow a community, here or elsewhere.
pub async fn follow(Path(name): Path<String>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    let handle = if name.contains('@') {
        format!("!{name}")
    } else {
        format!("!{name}@{}", ctx.app.config.domain)
    };
    let target = follows::resolve(&ctx.app, &handle).await?;
    follows::follow(&ctx.app, user, target).await?;
    Ok(see_other(&format!("/c/{name}")))
}

#[derive(Deserialize)]
pub struct UnfollowForm {
    follow: i64,
}

/// `POST /c/{name}/unfollow`.
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
    Ok(see_other(&format!("/c/{name}")))
}
