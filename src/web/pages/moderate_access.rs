//! `/c/{name}/moderate/spaces` and `/c/{name}/moderate/invites`: how a community opens its
//! doors. Spaces divide its discussions by audience (everyone, members, or members holding a
//! credential, such as a clinical space for verified nurses); invites are links, limited in
//! uses and time, that let people in without an application, copied from the page and
//! revoked when they should stop working.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::see_other;
use crate::accounts::User;
use crate::db::invites::InviteRow;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::membership::spaces::{self, SpaceInput, SpaceView};
use crate::membership::{Audience, invites};
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

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "moderate_spaces.html")]
struct SpacesPage {
    page: Page,
    name: String,
    spaces: Vec<SpaceView>,
    created: bool,
}

/// `GET /c/{name}/moderate/spaces`.
pub async fn spaces_page(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let user = reader(&ctx)?;
    // Listing spaces is open to readers of the community; this page is for moderators.
    invites::list(&ctx.app, user, &name).await?;
    let spaces = spaces::list(&ctx.app, Some(user), &name).await?;
    let view = SpacesPage {
        page: frame(&ctx, "moderate-spaces-title", &name).await,
        created: q.done.as_deref() == Some("created"),
        name,
        spaces,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct SpaceForm {
    slug: String,
    title: String,
    audience: Audience,
    #[serde(default)]
    credential: String,
}

/// `POST /c/{name}/moderate/spaces`.
pub async fn create_space(
    Path(name): Path<String>,
    submitted: Submitted<SpaceForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let input = SpaceInput {
        slug: form.slug.trim().to_string(),
        title: form.title.trim().to_string(),
        audience: form.audience,
        credential: Some(form.credential.trim().to_string()).filter(|c| !c.is_empty()),
    };
    spaces::create(&ctx.app, user, &name, input).await?;
    Ok(see_other(&format!(
        "/c/{name}/moderate/spaces?done=created"
    )))
}

/// An invite as the page shows it.
pub struct InviteLine {
    row: InviteRow,
    link: String,
    usable: bool,
}

#[derive(Template)]
#[template(path = "moderate_invites.html")]
struct InvitesPage {
    page: Page,
    name: String,
    invites: Vec<InviteLine>,
    created: bool,
}

/// `GET /c/{name}/moderate/invites`.
pub async fn invites_page(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let user = reader(&ctx)?;
    let rows = invites::list(&ctx.app, user, &name).await?;
    let community = Urls::new(&ctx.app.config).community(&name);
    let now = crate::time::now();
    let invites = rows
        .into_iter()
        .map(|row| InviteLine {
            link: format!("{community}?invite={}", row.code),
            usable: !row.revoked
                && row.expires_at.is_none_or(|e| e > now)
                && row.max_uses.is_none_or(|m| row.uses < m),
            row,
        })
        .collect();
    let view = InvitesPage {
        page: frame(&ctx, "moderate-invites-title", &name).await,
        created: q.done.as_deref() == Some("created"),
        name,
        invites,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    max_uses: String,
    #[serde(default)]
    days: String,
}

fn number<T: std::str::FromStr>(field: &str, what: &str) -> Result<Option<T>> {
    match field.trim() {
        "" => Ok(None),
        n => n.parse().map(Some).map_err(|_| {
            Error::new(
                ErrorCode::InvalidRequest,
                format!("{what} is a whole number, or empty"),
            )
        }),
    }
}

/// `POST /c/{name}/moderate/invites`: a new link.
pub async fn create_invite(
    Path(name): Path<String>,
    submitted: Submitted<InviteForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let input = invites::InviteInput {
        max_uses: number(&form.max_uses, "the number of uses")?,
        expires_in_days: number(&form.days, "the number of days")?,
        invitee_ap_id: None,
    };
    invites::invite(&ctx.app, user, &name, input, None).await?;
    Ok(see_other(&format!(
        "/c/{name}/moderate/invites?done=created"
    )))
}

#[derive(Deserialize)]
pub struct Plain {}

/// `POST /c/{name}/moderate/invites/{id}/revoke`.
pub async fn revoke_invite(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<Plain>,
) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = reader(&ctx)?;
    invites::revoke(&ctx.app, user, &name, id).await?;
    Ok(see_other(&format!("/c/{name}/moderate/invites")))
}
