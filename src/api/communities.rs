//! `POST /api/v1/communities` and `GET /api/v1/communities/{name}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::auth::{Authenticated, Viewer};
use super::error::ApiJson;
use crate::app::App;
use crate::communities::{self, CommunityDetails, NewCommunity};
use crate::db::memberships::Member;
use crate::error::Result;
use crate::federation::urls::Urls;
use crate::membership::Question;
use crate::membership::access;
use crate::time::rfc3339;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCommunity {
    name: String,
    title: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

/// A community as the API shows it.
#[derive(Serialize)]
pub struct CommunityView {
    pub name: String,
    pub handle: String,
    pub actor_id: String,
    pub title: String,
    pub summary: Option<String>,
    pub language: Option<String>,
    pub moderators: Vec<String>,
    pub followers: i64,
    /// Accepted members (owners and moderators included); public even when the list is not.
    pub members: i64,
    pub manually_approves_followers: bool,
    pub visibility: String,
    pub join_policy: String,
    pub posting_policy: String,
    pub verified_posting_only: bool,
    /// The rules, numbered by their order.
    pub rules: Vec<String>,
    /// The application questions.
    pub questions: Vec<Question>,
    pub welcome_message: Option<String>,
    pub member_list_public: bool,
    pub created_at: String,
}

impl CommunityView {
    pub fn new(app: &App, d: &CommunityDetails) -> Result<Self> {
        let c = &d.community;
        Ok(CommunityView {
            name: c.name.clone(),
            handle: format!("!{}@{}", c.name, app.config.domain),
            actor_id: Urls::new(&app.config).community(&c.name),
            title: c.title.clone(),
            summary: c.summary.clone(),
            language: c.language.clone(),
            moderators: d.moderators.clone(),
            followers: d.followers,
            members: d.members,
            manually_approves_followers: c.manually_approves_followers(),
            visibility: c.visibility().as_str().into(),
            join_policy: c.join_policy().as_str().into(),
            posting_policy: c.posting_policy().as_str().into(),
            verified_posting_only: c.verified_posting_only,
            rules: serde_json::from_str(&c.rules).map_err(crate::error::Error::internal)?,
            questions: serde_json::from_str(&c.questions).map_err(crate::error::Error::internal)?,
            welcome_message: c.welcome_message.clone(),
            member_list_public: c.member_list_public,
            created_at: rfc3339(c.created_at),
        })
    }
}

pub async fn create(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(body): ApiJson<CreateCommunity>,
) -> Result<(StatusCode, Json<CommunityView>)> {
    let details = communities::create(
        &app.db,
        &auth.user,
        NewCommunity {
            name: body.name,
            title: body.title,
            summary: body.summary,
            language: body.language,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CommunityView::new(&app, &details)?),
    ))
}

pub async fn show(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Path(name): Path<String>,
) -> Result<Json<CommunityView>> {
    let details = communities::find_local(&app.db, &name).await?;
    let mut view = CommunityView::new(&app, &details)?;
    // A private community's welcome message is for those it welcomes.
    if details.community.is_private() {
        let id = details.community.id;
        let member = match viewer {
            Some(user) => {
                app.db
                    .run(move |c| {
                        let who = Some(Member::Local(user.id));
                        let standing = access::standing(c, id, who, user.is_admin)?;
                        Ok(standing.is_member() || standing.moderates())
                    })
                    .await?
            }
            None => false,
        };
        if !member {
            view.welcome_message = None;
        }
    }
    Ok(Json(view))
}
