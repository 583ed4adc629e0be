//! The admins' pages: `/admin/signups` approves or rejects the accounts that wait when
//! registration needs approval, each with the reason the person gave. Only admins see them.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::{see_other, when};
use crate::accounts::{self, AccountStatus, User};
use crate::error::{Error, ErrorCode, Result};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

fn admin(ctx: &Ctx) -> Result<&User> {
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    if !user.is_admin {
        return Err(Error::new(ErrorCode::Forbidden, "for the server's admins"));
    }
    Ok(user)
}

#[derive(Template)]
#[template(path = "admin_signups.html")]
struct SignupsPage {
    page: Page,
    signups: Vec<User>,
    notice: Option<String>,
}

impl SignupsPage {
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        when(&crate::time::rfc3339(*t))
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /admin/signups`: accounts waiting for approval, oldest first.
pub async fn signups(ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response> {
    let user = admin(&ctx)?;
    let signups =
        accounts::list_by_status(&ctx.app.db, user, AccountStatus::Pending, None, 200).await?;
    let notice = match q.done.as_deref() {
        Some("approved") => Some(ctx.t("admin-signup-approved").to_string()),
        Some("rejected") => Some(ctx.t("admin-signup-rejected").to_string()),
        _ => None,
    };
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    let page = ctx.page(ctx.t("admin-signups-title"), meta).await;
    let view = SignupsPage {
        page,
        signups,
        notice,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
}

/// `POST /admin/signups/{id}`: approve (the person may log in) or reject (the account and
/// its name are released).
pub async fn decide_signup(
    Path(id): Path<i64>,
    submitted: Submitted<DecisionForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = admin(&ctx)?;
    let done = match form.decision.as_str() {
        "approve" => {
            accounts::approve(&ctx.app.db, user, id).await?;
            "approved"
        }
        "reject" => {
            accounts::reject(&ctx.app.db, user, id).await?;
            "rejected"
        }
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "the decision is approve or reject",
            ));
        }
    };
    Ok(see_other(&format!("/admin/signups?done={done}")))
}
