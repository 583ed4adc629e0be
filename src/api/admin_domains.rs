//! Admins' federation policy: `/api/v1/admin/domains…` and `/api/v1/admin/federation-mode`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::Authenticated;
use super::error::ApiJson;
use crate::app::App;
use crate::db::domain_policies::DomainPolicyRow;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::policy::manage::{self, RuleInput};
use crate::federation::policy::{FederationMode, Severity, blocklist_csv, imports};
use crate::time::rfc3339;

/// A domain's rule as admins see it.
#[derive(Serialize)]
pub struct DomainPolicyView {
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub allowed: bool,
    pub public_comment: Option<String>,
    pub private_comment: Option<String>,
    pub obfuscate: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&DomainPolicyRow> for DomainPolicyView {
    fn from(r: &DomainPolicyRow) -> Self {
        DomainPolicyView {
            domain: r.domain.clone(),
            severity: r.severity.clone(),
            reject_media: r.reject_media,
            reject_reports: r.reject_reports,
            allowed: r.allowed,
            public_comment: r.public_comment.clone(),
            private_comment: r.private_comment.clone(),
            obfuscate: r.obfuscate,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// `GET /api/v1/admin/domains`: every rule and the mode.
pub async fn list(State(app): State<App>, auth: Authenticated) -> Result<Json<Value>> {
    manage::require_admin(&auth.user)?;
    let (mode, rules) = manage::list(&app).await?;
    let items: Vec<DomainPolicyView> = rules.iter().map(DomainPolicyView::from).collect();
    Ok(Json(json!({ "mode": mode.as_str(), "domains": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    reject_media: Option<bool>,
    #[serde(default)]
    reject_reports: Option<bool>,
    #[serde(default)]
    allowed: Option<bool>,
    #[serde(default)]
    public_comment: Option<String>,
    #[serde(default)]
    private_comment: Option<String>,
    #[serde(default)]
    obfuscate: Option<bool>,
    #[serde(default)]
    purge: bool,
}

/// `PUT /api/v1/admin/domains/{domain}`: sets the rule; the answer says what it dropped.
pub async fn put(
    State(app): State<App>,
    auth: Authenticated,
    Path(domain): Path<String>,
    ApiJson(body): ApiJson<RuleBody>,
) -> Result<Json<Value>> {
    manage::require_admin(&auth.user)?;
    let severity = body
        .severity
        .as_deref()
        .map(|s| {
            Severity::parse(s).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidRequest,
                    format!("severity is none, limit or block, not {s:?}"),
                )
            })
        })
        .transpose()?;
    let by = manage::admin_moderator(&app, &auth.user);
    let done = manage::set_rule(
        &app,
        by,
        &domain,
        RuleInput {
            severity,
            reject_media: body.reject_media,
            reject_reports: body.reject_reports,
            allowed: body.allowed,
            public_comment: body.public_comment,
            private_comment: body.private_comment,
            obfuscate: body.obfuscate,
            purge: body.purge,
        },
    )
    .await?;
    tracing::info!(admin = %auth.user.username, domain = %done.rule.domain, severity = %done.rule.severity, "domain policy set");
    Ok(Json(json!({
        "domain": DomainPolicyView::from(&done.rule),
        "created": done.created,
        "follows_dropped": done.follows_dropped,
        "memberships_dropped": done.memberships_dropped,
        "deliveries_cancelled": done.deliveries_cancelled,
        "posts_purged": done.posts_purged,
        "comments_purged": done.comments_purged,
    })))
}

/// `DELETE /api/v1/admin/domains/{domain}`
pub async fn delete(
    State(app): State<App>,
    auth: Authenticated,
    Path(domain): Path<String>,
) -> Result<Json<Value>> {
    manage::require_admin(&auth.user)?;
    let by = manage::admin_moderator(&app, &auth.user);
    let removed = manage::remove_rule(&app, by, &domain).await?;
    Ok(Json(json!({ "removed": removed.domain })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeBody {
    mode: String,
}

/// `PUT /api/v1/admin/federation-mode`
pub async fn mode(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<ModeBody>,
) -> Result<Json<Value>> {
    manage::require_admin(&auth.user)?;
    let mode = FederationMode::parse(&body.mode).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            format!("mode is allowlist or blocklist, not {:?}", body.mode),
        )
    })?;
    let by = manage::admin_moderator(&app, &auth.user);
    let allowed = manage::set_mode(&app, by, mode).await?;
    let warning = (mode == FederationMode::Allowlist && allowed == 0)
        .then_some("no domain is allowed: this server federates with nobody");
    Ok(Json(json!({
        "mode": mode.as_str(),
        "allowed_domains": allowed,
        "warning": warning,
    })))
}

/// `GET /api/v1/admin/domains/export`: Mastodon's blocklist CSV.
pub async fn export(State(app): State<App>, auth: Authenticated) -> Result<impl IntoResponse> {
    manage::require_admin(&auth.user)?;
    let (_, rules) = manage::list(&app).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"domain_blocks.csv\"",
            ),
        ],
        blocklist_csv::render(&rules),
    ))
}

/// `POST /api/v1/admin/domains/import`: the body is a blocklist CSV. It is checked whole
/// and applied in the background: 200 with the result when that took less than a quarter of
/// the request timeout, else 202 with the import's progress and its address in `Location`.
pub async fn import(State(app): State<App>, auth: Authenticated, body: Bytes) -> Result<Response> {
    manage::require_admin(&auth.user)?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        Error::new(
            ErrorCode::BlocklistInvalid,
            "the blocklist is not UTF-8 text",
        )
    })?;
    let started = imports::start(&app, Some(&auth.user), text).await?;
    let view = imports::settle(&app, started.id, app.config.http_request_timeout / 4).await?;
    let status = if view.is_running() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    let location = format!("/api/v1/admin/domains/imports/{}", view.id);
    Ok((status, [(LOCATION, location)], Json(import_json(&view))).into_response())
}

/// `GET /api/v1/admin/domains/imports`: the latest imports, newest first.
pub async fn imports_list(State(app): State<App>, auth: Authenticated) -> Result<Json<Value>> {
    manage::require_admin(&auth.user)?;
    let list = imports::recent(&app).await?;
    Ok(Json(Value::Array(list.iter().map(import_json).collect())))
}

/// `GET /api/v1/admin/domains/imports/{id}`: where an import stands.
pub async fn import_status(
    State(app): State<App>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    manage::require_admin(&auth.user)?;
    Ok(Json(import_json(&imports::find(&app, id).await?)))
}

fn import_json(v: &imports::Import) -> Value {
    json!({
        "id": v.id,
        "state": v.state,
        "total": v.total,
        "written": v.written,
        "added": v.added,
        "updated": v.updated,
        "error": v.error,
        "created_at": rfc3339(v.created_at),
        "finished_at": v.finished_at.map(rfc3339),
    })
}
