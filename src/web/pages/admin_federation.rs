//! `/admin/federation`: which servers this one federates with, for its admins. The mode
//! (everyone but the blocked, or only the allowed); each server's rule (block, limit, allow,
//! media and reports refused) with its public and private comments; a Mastodon blocklist
//! CSV imported after a preview of what it changes, and the rules exported as one; and the
//! delivery queue's health per server, with "retry now" for one that came back.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::see_other;
use crate::accounts::User;
use crate::db::domain_policies::DomainPolicyRow;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::delivery::instances;
use crate::federation::delivery::status::{self, QueueStatus};
use crate::federation::policy::blocklist_csv::{self, BlocklistEntry};
use crate::federation::policy::manage::{self, RuleInput};
use crate::federation::policy::{FederationMode, Severity, imports};
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

/// One line of an import's preview: what the list says, and what it changes here.
pub struct PreviewLine {
    entry: BlocklistEntry,
    /// `new`, `changed` or `same`.
    change: &'static str,
}

#[derive(Template)]
#[template(path = "admin_federation.html")]
struct FederationPage {
    page: Page,
    mode: &'static str,
    rules: Vec<DomainPolicyRow>,
    queue: QueueStatus,
    notice: Option<String>,
    /// An import being previewed: its lines, and the list itself to apply.
    preview: Option<(Vec<PreviewLine>, String)>,
}

impl FederationPage {
    fn severity_label(&self, s: &str) -> &'static str {
        match s {
            "block" => self.page.t("admin-severity-block"),
            "limit" => self.page.t("admin-severity-limit"),
            _ => self.page.t("admin-severity-none"),
        }
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn render(
    ctx: &Ctx,
    notice: Option<String>,
    preview: Option<(Vec<PreviewLine>, String)>,
) -> Result<Response> {
    let (mode, rules) = manage::list(&ctx.app).await?;
    let queue = status::collect(&ctx.app).await?;
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let view = FederationPage {
        page: ctx.page(ctx.t("admin-federation-title"), meta).await,
        mode: mode.as_str(),
        rules,
        queue,
        notice,
        preview,
    };
    Ok(ctx.ok(view.render()))
}

/// `GET /admin/federation`.
pub async fn show(ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response> {
    admin(&ctx)?;
    let notice = match q.done.as_deref() {
        Some("mode") => Some(ctx.t("admin-done-mode").to_string()),
        Some("rule") => Some(ctx.t("admin-done-rule").to_string()),
        Some("removed") => Some(ctx.t("admin-done-removed").to_string()),
        Some("imported") => Some(ctx.t("admin-done-imported").to_string()),
        Some("retry") => Some(ctx.t("admin-done-retry").to_string()),
        _ => None,
    };
    render(&ctx, notice, None).await
}

#[derive(Deserialize)]
pub struct ModeForm {
    mode: String,
}

/// `POST /admin/federation/mode`.
pub async fn mode(submitted: Submitted<ModeForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    let mode = FederationMode::parse(&form.mode).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            "the mode is blocklist or allowlist",
        )
    })?;
    manage::set_mode(&ctx.app, manage::admin_moderator(&ctx.app, user), mode).await?;
    Ok(see_other("/admin/federation?done=mode"))
}

#[derive(Deserialize)]
pub struct RuleForm {
    domain: String,
    severity: String,
    #[serde(default)]
    reject_media: Option<String>,
    #[serde(default)]
    reject_reports: Option<String>,
    #[serde(default)]
    allowed: Option<String>,
    #[serde(default)]
    public_comment: String,
    #[serde(default)]
    private_comment: String,
    #[serde(default)]
    obfuscate: Option<String>,
    #[serde(default)]
    purge: Option<String>,
}

/// `POST /admin/federation/rules`: sets a server's rule (made or replaced).
pub async fn rule(submitted: Submitted<RuleForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    let severity = Severity::parse(&form.severity).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            "the severity is none, limit or block",
        )
    })?;
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = RuleInput {
        severity: Some(severity),
        reject_media: Some(form.reject_media.is_some()),
        reject_reports: Some(form.reject_reports.is_some()),
        allowed: Some(form.allowed.is_some()),
        public_comment: text(&form.public_comment),
        private_comment: text(&form.private_comment),
        obfuscate: Some(form.obfuscate.is_some()),
        purge: form.purge.is_some(),
    };
    let by = manage::admin_moderator(&ctx.app, user);
    manage::set_rule(&ctx.app, by, &form.domain, input).await?;
    Ok(see_other("/admin/federation?done=rule"))
}

#[derive(Deserialize)]
pub struct Plain {}

/// `POST /admin/federation/rules/{domain}/remove`.
pub async fn remove(Path(domain): Path<String>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    let user = admin(&ctx)?;
    let by = manage::admin_moderator(&ctx.app, user);
    manage::remove_rule(&ctx.app, by, &domain).await?;
    Ok(see_other("/admin/federation?done=removed"))
}

#[derive(Deserialize)]
pub struct ImportForm {
    csv: String,
    /// `preview` shows what would change; `apply` applies it.
    step: String,
}

/// `POST /admin/federation/import`: a Mastodon blocklist CSV, previewed, then applied.
pub async fn import(submitted: Submitted<ImportForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    let entries = blocklist_csv::parse(&form.csv)?;
    if form.step == "apply" {
        let started = imports::start(&ctx.app, Some(user), &form.csv).await?;
        imports::settle(
            &ctx.app,
            started.id,
            ctx.app.config.http_request_timeout / 4,
        )
        .await?;
        return Ok(see_other("/admin/federation?done=imported"));
    }
    let (_, rules) = manage::list(&ctx.app).await?;
    let lines = entries
        .into_iter()
        .map(|entry| {
            let change = match rules.iter().find(|r| r.domain == entry.domain) {
                None => "new",
                Some(r)
                    if r.severity == entry.severity.as_str()
                        && r.reject_media == entry.reject_media
                        && r.reject_reports == entry.reject_reports =>
                {
                    "same"
                }
                Some(_) => "changed",
            };
            PreviewLine { entry, change }
        })
        .collect();
    render(&ctx, None, Some((lines, form.csv))).await
}

/// `GET /admin/federation/export`: the rules as Mastodon's blocklist CSV.
pub async fn export(ctx: Ctx) -> Result<Response> {
    admin(&ctx)?;
    let (_, rules) = manage::list(&ctx.app).await?;
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"domain_blocks.csv\""),
            ),
        ],
        blocklist_csv::render(&rules),
    )
        .into_response())
}

/// `POST /admin/federation/retry/{domain}`: its waiting deliveries are due now.
pub async fn retry(Path(domain): Path<String>, submitted: Submitted<Plain>) -> Result<Response> {
    let ctx = submitted.ctx;
    admin(&ctx)?;
    instances::retry_now(&ctx.app, &domain).await?;
    Ok(see_other("/admin/federation?done=retry"))
}
