//! `/admin/people` and `/admin/reports`: an admin's dealings with people. Banning someone
//! from the whole server (a person here is suspended: they cannot log in), for some days or
//! until lifted, optionally with what they wrote; lifting such bans; purging everything a
//! person wrote here, for what must not be kept; and the reports that go to the server
//! itself (people, content elsewhere), decided as a community's moderators decide theirs.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::accounts::User;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::policy::manage;
use crate::moderation::bans::{self, BanInput, BanView};
use crate::moderation::purge::{self, Purge};
use crate::moderation::reports::{self, Decision, ReportStatus, ReportView, Scope};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

fn admin(ctx: &Ctx) -> Result<&User> {
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    manage::require_admin(user)?;
    Ok(user)
}

fn private() -> Meta {
    Meta {
        noindex: true,
        ..Meta::default()
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    posts: Option<usize>,
    comments: Option<usize>,
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    page: Page,
    bans: Vec<BanView>,
    notice: Option<String>,
}

/// `GET /admin/people`.
pub async fn people(ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response> {
    let user = admin(&ctx)?;
    let bans = bans::list_instance(&ctx.app, user, None).await?;
    let notice = match q.done.as_deref() {
        Some("banned") => Some(ctx.t("moderate-done-banned").to_string()),
        Some("lifted") => Some(ctx.t("moderate-done-lifted").to_string()),
        Some("purged") => Some(ctx.lang.tv(
            "admin-done-purged",
            &[
                ("posts", &q.posts.unwrap_or(0).to_string()),
                ("comments", &q.comments.unwrap_or(0).to_string()),
            ],
        )),
        _ => None,
    };
    let view = PeoplePage {
        page: ctx.page(ctx.t("admin-people-title"), private()).await,
        bans,
        notice,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct BanForm {
    person: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    remove_data: Option<String>,
}

/// `POST /admin/people/bans`.
pub async fn ban(submitted: Submitted<BanForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
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
        person: form.person.trim().to_string(),
        reason: Some(form.reason).filter(|r| !r.trim().is_empty()),
        expires_in_days: days,
        remove_data: form.remove_data.is_some(),
    };
    bans::ban_from_instance(&ctx.app, user, input).await?;
    Ok(see_other("/admin/people?done=banned"))
}

#[derive(Deserialize)]
pub struct LiftForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/people/bans/{id}/lift`.
pub async fn lift(Path(id): Path<i64>, submitted: Submitted<LiftForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    bans::unban_from_instance(&ctx.app, user, id, reason).await?;
    Ok(see_other("/admin/people?done=lifted"))
}

#[derive(Deserialize)]
pub struct PurgeForm {
    person: String,
    #[serde(default)]
    reason: String,
    /// The box that says the admin understood it cannot be undone.
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /admin/people/purge`: everything the person wrote here, deleted for good.
pub async fn purge_person(submitted: Submitted<PurgeForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    if form.confirm.is_none() {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "tick the box to confirm: a purge cannot be undone",
        ));
    }
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    let done = purge::purge(
        &ctx.app,
        user,
        Purge::Person(form.person.trim().to_string()),
        reason,
    )
    .await?;
    Ok(see_other(&format!(
        "/admin/people?done=purged&posts={}&comments={}",
        done.posts, done.comments
    )))
}

#[derive(Template)]
#[template(path = "admin_reports.html")]
struct ReportsPage {
    page: Page,
    reports: Vec<ReportView>,
}

impl ReportsPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }
}

/// `GET /admin/reports`: the server's own queue, open reports newest first.
pub async fn reports_queue(ctx: Ctx) -> Result<Response> {
    let user = admin(&ctx)?;
    let listed = reports::list(
        &ctx.app,
        user,
        Scope::Instance,
        Some(ReportStatus::Open),
        None,
        100,
    )
    .await?;
    let view = ReportsPage {
        page: ctx.page(ctx.t("admin-reports-title"), private()).await,
        reports: listed.items,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/reports/{id}`: resolve or dismiss, with a note.
pub async fn decide_report(
    Path(id): Path<i64>,
    submitted: Submitted<DecisionForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    let decision = match form.decision.as_str() {
        "resolve" => Decision::Resolve,
        "dismiss" => Decision::Dismiss,
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "the decision is resolve or dismiss",
            ));
        }
    };
    let note = Some(form.reason).filter(|r| !r.trim().is_empty());
    reports::decide(&ctx.app, user, id, decision, note).await?;
    Ok(see_other("/admin/reports"))
}
