//! The moderators' pages: `/moderate` lists what waits in each community the reader
//! moderates; `/c/{name}/moderate/applications` decides who gets in, with the applicant's
//! answers beside the questions; `/c/{name}/moderate/reports` handles reports, each with
//! what it is about. Every decision takes an optional reason, which the person concerned
//! is told. Only the community's moderators (and the server's admins) see these pages.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::accounts::User;
use crate::error::{Error, ErrorCode, Result};
use crate::membership::view::MembershipView;
use crate::membership::{self, MembershipState};
use crate::moderation::reports::{self, Decision, ReportStatus, ReportView, Scope};
use crate::moderation::waiting::{self, CommunityQueue};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

fn reader(ctx: &Ctx) -> Result<&User> {
    ctx.viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))
}

fn private() -> Meta {
    Meta {
        noindex: true,
        ..Meta::default()
    }
}

#[derive(Template)]
#[template(path = "moderate.html")]
struct HubPage {
    page: Page,
    queues: Vec<CommunityQueue>,
    signups: i64,
    instance_reports: i64,
    is_admin: bool,
}

/// `GET /moderate`: the reader's queues.
pub async fn hub(ctx: Ctx) -> Result<Response> {
    let user = reader(&ctx)?.clone();
    let is_admin = user.is_admin;
    let waiting = ctx.app.db.run(move |c| waiting::of(c, &user)).await?;
    if !waiting.has_queues() && !is_admin {
        return Err(Error::new(
            ErrorCode::NotAModerator,
            "you moderate no community here",
        ));
    }
    let page = ctx.page(ctx.t("moderate-title"), private()).await;
    let view = HubPage {
        page,
        queues: waiting.communities,
        signups: waiting.signups,
        instance_reports: waiting.instance_reports,
        is_admin,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Template)]
#[template(path = "moderate_applications.html")]
struct ApplicationsPage {
    page: Page,
    name: String,
    applications: Vec<MembershipView>,
    notice: Option<String>,
}

impl ApplicationsPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    /// What was just decided (post, redirect, get), to say so.
    done: Option<String>,
}

/// `GET /c/{name}/moderate/applications`: applications waiting, oldest first.
pub async fn applications(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let notice = match q.done.as_deref() {
        Some("approved") => Some(ctx.t("moderate-approved").to_string()),
        Some("rejected") => Some(ctx.t("moderate-rejected").to_string()),
        _ => None,
    };
    render_applications(&ctx, name, notice).await
}

async fn render_applications(ctx: &Ctx, name: String, notice: Option<String>) -> Result<Response> {
    let user = reader(ctx)?;
    let applications =
        membership::moderate::list(&ctx.app, Some(user), &name, MembershipState::Pending, 0)
            .await?;
    let title = ctx
        .lang
        .tv("moderate-applications-title", &[("community", &name)]);
    let page = ctx.page(title, private()).await;
    let view = ApplicationsPage {
        page,
        name,
        applications,
        notice,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /c/{name}/moderate/applications/{id}`: approve or reject, with a reason.
pub async fn decide_application(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<DecisionForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "the decision is approve or reject",
            ));
        }
    };
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    membership::moderate::decide(&ctx.app, user, &name, id, approve, reason).await?;
    let done = if approve { "approved" } else { "rejected" };
    Ok(see_other(&format!(
        "/c/{name}/moderate/applications?done={done}"
    )))
}

#[derive(Template)]
#[template(path = "moderate_reports.html")]
struct ReportsPage {
    page: Page,
    name: String,
    reports: Vec<ReportView>,
}

impl ReportsPage {
    fn when(&self, t: &str) -> String {
        when(t)
    }

    /// Where the reported thing is read, in context.
    fn target_link(&self, r: &ReportView) -> Option<String> {
        match (r.target.kind, r.target.id) {
            ("post", Some(id)) => Some(format!("/post/{id}")),
            ("comment", Some(id)) => Some(format!("/comment/{id}")),
            ("person", _) => r.target.person.as_ref().map(|p| {
                let local = format!("@{}", self.page.domain);
                let name = p.handle.trim_start_matches('@');
                match p.handle.strip_suffix(&local) {
                    Some(local_name) => format!("/u/{}", local_name.trim_start_matches('@')),
                    None => format!("/u/{name}"),
                }
            }),
            _ => None,
        }
    }

    fn kind_label(&self, r: &ReportView) -> &'static str {
        match r.target.kind {
            "post" => self.page.t("moderate-report-post"),
            "comment" => self.page.t("moderate-report-comment"),
            "person" => self.page.t("moderate-report-person"),
            _ => self.page.t("moderate-report-gone"),
        }
    }
}

/// `GET /c/{name}/moderate/reports`: open reports, newest first.
pub async fn reports_queue(ctx: Ctx, Path(name): Path<String>) -> Result<Response> {
    let user = reader(&ctx)?;
    let listed = reports::list(
        &ctx.app,
        user,
        Scope::Community(name.clone()),
        Some(ReportStatus::Open),
        None,
        100,
    )
    .await?;
    let title = ctx
        .lang
        .tv("moderate-reports-title", &[("community", &name)]);
    let page = ctx.page(title, private()).await;
    let view = ReportsPage {
        page,
        name,
        reports: listed.items,
    };
    Ok(ctx.ok(view.render()))
}

/// `POST /c/{name}/moderate/reports/{id}`: resolve or dismiss, with a note.
pub async fn decide_report(
    Path((name, id)): Path<(String, i64)>,
    submitted: Submitted<DecisionForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = reader(&ctx)?;
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
    // The report must be this community's: the address says which queue it came from.
    let report = reports::get(&ctx.app, user, id).await?;
    if report.community.as_deref() != Some(&format!("!{name}@{}", ctx.app.config.domain)) {
        return Err(Error::new(ErrorCode::NotFound, "no such report here"));
    }
    let note = Some(form.reason).filter(|r| !r.trim().is_empty());
    reports::decide(&ctx.app, user, id, decision, note).await?;
    Ok(see_other(&format!("/c/{name}/moderate/reports")))
}
