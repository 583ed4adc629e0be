//! Membership endpoints: community settings, joining and leaving, applications, members
//! and their roles and credentials, spaces, invites, and notifications.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::auth::{Authenticated, Viewer};
use super::communities::CommunityView;
use super::error::ApiJson;
use crate::app::App;
use crate::db::{invites as db_invites, notifications};
use crate::error::{Error, ErrorCode, Result};
use crate::membership::invites::{self, InviteInput};
use crate::membership::settings::{self, SettingsInput};
use crate::membership::spaces::{self, SpaceInput, SpaceView};
use crate::membership::view::MembershipView;
use crate::membership::{
    self, Audience, JoinInput, JoinPolicy, MembershipState, PostingPolicy, Question, Role,
    Visibility, moderate,
};
use crate::time::rfc3339;

/// `PATCH /communities/{name}`: absent fields stay; `null` clears an optional text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default, with = "double_option")]
    summary: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    language: Option<Option<String>>,
    #[serde(default)]
    visibility: Option<Visibility>,
    #[serde(default)]
    join_policy: Option<JoinPolicy>,
    #[serde(default)]
    posting_policy: Option<PostingPolicy>,
    #[serde(default)]
    verified_posting_only: Option<bool>,
    #[serde(default)]
    rules: Option<Vec<String>>,
    #[serde(default)]
    questions: Option<Vec<Question>>,
    #[serde(default, with = "double_option")]
    welcome_message: Option<Option<String>>,
    #[serde(default)]
    member_list_public: Option<bool>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

pub async fn update_settings(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    ApiJson(b): ApiJson<SettingsBody>,
) -> Result<Json<CommunityView>> {
    let details = settings::update(
        &app,
        &auth.user,
        &name,
        SettingsInput {
            title: b.title,
            summary: b.summary,
            language: b.language,
            visibility: b.visibility,
            join_policy: b.join_policy,
            posting_policy: b.posting_policy,
            verified_posting_only: b.verified_posting_only,
            rules: b.rules,
            questions: b.questions,
            welcome_message: b.welcome_message,
            member_list_public: b.member_list_public,
        },
    )
    .await?;
    Ok(Json(CommunityView::new(&app, &details)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    /// A community here (`nursing`), a handle (`!nursing@host`) or a URL.
    community: String,
    #[serde(default)]
    answers: Vec<String>,
    #[serde(default)]
    accept_rules: bool,
    #[serde(default)]
    invite: Option<String>,
}

/// `POST /memberships`: join, apply to, or ask to join a community anywhere.
pub async fn join(
    State(app): State<App>,
    auth: Authenticated,
    ApiJson(b): ApiJson<JoinBody>,
) -> Result<(StatusCode, Json<MembershipView>)> {
    let view = membership::join(
        &app,
        &auth.user,
        &b.community,
        JoinInput {
            answers: b.answers,
            accept_rules: b.accept_rules,
            invite: b.invite,
        },
    )
    .await?;
    let status = if view.state == MembershipState::Accepted.as_str() {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(view)))
}

/// `GET /memberships`: your memberships and applications, here and elsewhere.
pub async fn mine(
    State(app): State<App>,
    auth: Authenticated,
) -> Result<Json<Vec<MembershipView>>> {
    Ok(Json(membership::mine(&app, &auth.user).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveQuery {
    community: String,
}

/// `DELETE /memberships?community=…`: leave, or withdraw an application.
pub async fn leave(
    State(app): State<App>,
    auth: Authenticated,
    Query(q): Query<LeaveQuery>,
) -> Result<StatusCode> {
    membership::leave(&app, &auth.user, &q.community).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersQuery {
    /// `accepted` (members, the default) or `pending` (applications, for moderators).
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    after: Option<i64>,
}

pub async fn members(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Path(name): Path<String>,
    Query(q): Query<MembersQuery>,
) -> Result<Json<Vec<MembershipView>>> {
    let state = match q.state.as_deref().unwrap_or("accepted") {
        "accepted" => MembershipState::Accepted,
        "pending" => MembershipState::Pending,
        "rejected" => MembershipState::Rejected,
        other => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                format!("state is accepted, pending or rejected, not {other:?}"),
            ));
        }
    };
    Ok(Json(
        moderate::list(&app, viewer.as_ref(), &name, state, q.after.unwrap_or(0)).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    reason: Option<String>,
}

/// The optional body of an approval or rejection: nothing, or `{"reason": "…"}`.
fn decision_reason(body: &[u8]) -> Result<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let parsed: DecisionBody = serde_json::from_slice(body)
        .map_err(|e| Error::new(ErrorCode::InvalidJson, format!("invalid JSON body: {e}")))?;
    Ok(parsed.reason)
}

pub async fn approve(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Json<MembershipView>> {
    let reason = decision_reason(&body)?;
    Ok(Json(
        moderate::decide(&app, &auth.user, &name, id, true, reason).await?,
    ))
}

pub async fn reject(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Json<MembershipView>> {
    let reason = decision_reason(&body)?;
    Ok(Json(
        moderate::decide(&app, &auth.user, &name, id, false, reason).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: Role,
}

pub async fn set_role(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    ApiJson(b): ApiJson<RoleBody>,
) -> Result<Json<MembershipView>> {
    Ok(Json(
        moderate::set_role(&app, &auth.user, &name, id, b.role).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialBody {
    name: String,
}

pub async fn grant_credential(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    ApiJson(b): ApiJson<CredentialBody>,
) -> Result<Json<MembershipView>> {
    Ok(Json(
        moderate::credential(&app, &auth.user, &name, id, &b.name, true).await?,
    ))
}

pub async fn revoke_credential(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
    ApiJson(b): ApiJson<CredentialBody>,
) -> Result<Json<MembershipView>> {
    Ok(Json(
        moderate::credential(&app, &auth.user, &name, id, &b.name, false).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceBody {
    slug: String,
    title: String,
    audience: Audience,
    #[serde(default)]
    credential: Option<String>,
}

pub async fn create_space(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    ApiJson(b): ApiJson<SpaceBody>,
) -> Result<(StatusCode, Json<SpaceView>)> {
    let view = spaces::create(
        &app,
        &auth.user,
        &name,
        SpaceInput {
            slug: b.slug,
            title: b.title,
            audience: b.audience,
            credential: b.credential,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn list_spaces(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    Path(name): Path<String>,
) -> Result<Json<Vec<SpaceView>>> {
    Ok(Json(spaces::list(&app, viewer.as_ref(), &name).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    #[serde(default)]
    max_uses: Option<i32>,
    #[serde(default)]
    expires_in_days: Option<i64>,
    /// A fediverse handle or actor URL: the invite is for that person alone, and they are
    /// told by an `Invite` activity.
    #[serde(default)]
    invitee: Option<String>,
}

#[derive(Serialize)]
pub struct InviteView {
    id: i64,
    code: String,
    /// Where the invited person goes: the community's page with the code.
    link: String,
    invitee: Option<String>,
    max_uses: Option<i32>,
    uses: i32,
    expires_at: Option<String>,
    revoked: bool,
    created_at: String,
}

fn invite_view(app: &App, community: &str, row: db_invites::InviteRow) -> InviteView {
    let urls = crate::federation::urls::Urls::new(&app.config);
    InviteView {
        id: row.id,
        link: format!("{}?invite={}", urls.community(community), row.code),
        code: row.code,
        invitee: row.invitee_ap_id,
        max_uses: row.max_uses,
        uses: row.uses,
        expires_at: row.expires_at.map(rfc3339),
        revoked: row.revoked,
        created_at: rfc3339(row.created_at),
    }
}

pub async fn create_invite(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
    ApiJson(b): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<InviteView>)> {
    let row = invites::invite(
        &app,
        &auth.user,
        &name,
        InviteInput {
            max_uses: b.max_uses,
            expires_in_days: b.expires_in_days,
            invitee_ap_id: None,
        },
        b.invitee.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invite_view(&app, &name, row))))
}

pub async fn list_invites(
    State(app): State<App>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<InviteView>>> {
    let rows = invites::list(&app, &auth.user, &name).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| invite_view(&app, &name, r))
            .collect(),
    ))
}

pub async fn revoke_invite(
    State(app): State<App>,
    auth: Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    invites::revoke(&app, &auth.user, &name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct NotificationView {
    id: i64,
    kind: String,
    community: Option<String>,
    message: String,
    read: bool,
    created_at: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    #[serde(default)]
    before: Option<i64>,
}

pub async fn notifications(
    State(app): State<App>,
    auth: Authenticated,
    Query(q): Query<NotificationsQuery>,
) -> Result<Json<Vec<NotificationView>>> {
    let user_id = auth.user.id;
    let before = q.before.unwrap_or(i64::MAX);
    let rows = app
        .db
        .run(move |c| Ok(notifications::of_user(c, user_id, before, 50)?))
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|n| NotificationView {
                id: n.id,
                kind: n.kind,
                community: n.community_ap_id,
                message: n.message,
                read: n.is_read,
                created_at: rfc3339(n.created_at),
            })
            .collect(),
    ))
}
