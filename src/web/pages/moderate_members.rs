//! `/c/{name}/moderate/members` and `/c/{name}/moderate/bans`: a community's members as its
//! moderators see them (role, newcomer mark, verified credentials), with recording and
//! withdrawing a credential, appointing moderators (the owner), and banning; and the bans in
//! force, each with lifting. Every change goes through the domain, which checks the reader's
//! standing again.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::accounts::User;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::membership::view::MembershipView;
use crate::membership::{self, MembershipState, Role};
use crate::moderation::bans::{self, BanInput, BanView};
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
#[template(path = "moderate_members.html")]
struct MembersPage {
    page: Page,
    name: String,
    members: Vec<MembershipView>,
    /// The reader appoints moderators (the owner, or an admin).
    appoints: bool,
    notice: Option<String>,
}

impl MembersPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn notice(ctx: &Ctx, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "credential" => "moderate-done-credential",
        "role" => "moderate-done-role",
        "banned" => "moderate-done-banned",
        "lifted" => "moderate-done-lifted",
        _ => return None,
    };
    Some(ctx.t(key).to_string())
}

/// `GET /c/{name}/moderate/members`.
pub async fn members(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let user = reader(&ctx)?;
    let members =
        membership::moderate::list(&ctx.app, Some(user), &name, MembershipState::Accepted, 0)
            .await?;
    // The list is for moderators only here (the public member list has its own rules).
    let me = Urls::new(&ctx.app.config).person(&user.username);
    let my_role = members
        .iter()
        .find(|m| m.member_actor_id == me)
        .map(|m| m.role.clone());
    if !user.is_admin && !matches!(my_role.as_deref(), Some("owner" | "moderator")) {
        return Err(Error::new(
            ErrorCode::NotAModerator,
            "only the community's moderators see this page",
        ));
    }
    let view = MembersPage {
        page: frame(&ctx, "moderate-members-title", &name).await,
        appoints: user.is_admin || my_role.as_deref() == Some("owner"),
        notice: notice(&ctx, q.done.as_deref()),
        name,
        members,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct CredentialForm {
    action: String,
    #[serde(default)]
    credential: String,
}

/// `POST /c/{name}/moderate/members/{id}/credential`: `grant` or `withdraw`.
pub async fn credential(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<CredentialForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let grant = match form.action.as_str() {
        "grant" => true,
        "withdraw" => false,
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "the action is grant or withdraw",
            ));
        }
    };
    membership::moderate::credential(&ctx.app, user, &name, id, &form.credential, grant).await?;
    Ok(see_other(&format!(
        "/c/{name}/moderate/members?done=credential#member-{id}"
    )))
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: Role,
}

/// `POST /c/{name}/moderate/members/{id}/role`: the owner appoints or removes a moderator.
pub async fn role(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<RoleForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    membership::moderate::set_role(&ctx.app, user, &name, id, form.role).await?;
    Ok(see_other(&format!(
        "/c/{name}/moderate/members?done=role#member-{id}"
    )))
}

#[derive(Template)]
#[template(path = "moderate_ban.html")]
struct BanPage {
    page: Page,
    name: String,
    member: MembershipView,
    preview: bans::BanPreview,
}

impl BanPage {
    fn consequence(&self) -> String {
        self.page.lang.tv(
            "moderate-ban-numbers",
            &[
                ("posts", &self.preview.posts.to_string()),
                ("comments", &self.preview.comments.to_string()),
                ("servers", &self.preview.servers.to_string()),
            ],
        )
    }
}

/// `GET /c/{name}/moderate/members/{id}/ban`: the ban form, with what it will do.
pub async fn ban_form(ctx: Ctx, Path((name, id)): Path<(String, i64)>) -> Result<Response> {
    let user = reader(&ctx)?;
    let preview = bans::preview(&ctx.app, user, &name, id).await?;
    let member = membership::moderate::list(
        &ctx.app,
        Some(user),
        &name,
        MembershipState::Accepted,
        id - 1,
    )
    .await?
    .into_iter()
    .find(|m| m.id == id)
    .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such member"))?;
    let view = BanPage {
        page: frame(&ctx, "moderate-ban-title", &name).await,
        name,
        member,
        preview,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct BanForm {
    person: String,
    /// Empty: until lifted.
    #[serde(default)]
    days: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    remove_data: Option<String>,
}

/// `POST /c/{name}/moderate/bans`: ban a person, for some days or until lifted, and
/// optionally remove what they wrote in the community.
pub async fn ban(Path(name): Path<String>, submitted: Submitted<BanForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let days = match form.days.trim() {
        "" => None,
        d => Some(d.parse::<u32>().map_err(|_| {
            Error::new(
                ErrorCode::InvalidRequest,
                "the duration is a whole number of days, or empty",
            )
        })?),
    };
    let input = BanInput {
        person: form.person,
        reason: Some(form.reason).filter(|r| !r.trim().is_empty()),
        expires_in_days: days,
        remove_data: form.remove_data.is_some(),
    };
    bans::ban_in_community(&ctx.app, user, &name, input).await?;
    Ok(see_other(&format!("/c/{name}/moderate/bans?done=banned")))
}

#[derive(Template)]
#[template(path = "moderate_bans.html")]
struct BansPage {
    page: Page,
    name: String,
    bans: Vec<BanView>,
    notice: Option<String>,
}

/// `GET /c/{name}/moderate/bans`: the bans in force, newest first.
pub async fn bans_page(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let user = reader(&ctx)?;
    let bans = bans::list_in_community(&ctx.app, user, &name, None).await?;
    let view = BansPage {
        page: frame(&ctx, "moderate-bans-title", &name).await,
        notice: notice(&ctx, q.done.as_deref()),
        name,
        bans,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct LiftForm {
    #[serde(default)]
    reason: String,
}

/// `POST /c/{name}/moderate/bans/{id}/lift`.
pub async fn lift(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<LiftForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    bans::unban_in_community(&ctx.app, user, &name, id, reason).await?;
    Ok(see_other(&format!("/c/{name}/moderate/bans?done=lifted")))
}
