//! `/c/{name}/moderate/settings`: a community's settings as a form for its moderators:
//! title and description, who may see, join and post, the rules, the application questions,
//! the welcome message and whether the member list is public. A refused change shows the
//! form again with what was typed and why; nothing is half saved.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::see_other;
use crate::communities;
use crate::error::{Error, ErrorCode, Result};
use crate::membership::settings::{self, SettingsInput};
use crate::membership::{JoinPolicy, MAX_QUESTIONS, PostingPolicy, Question, Visibility};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Meta, Page};

/// The form's fields, as typed.
#[derive(Debug, Clone, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    language: String,
    visibility: Visibility,
    join_policy: JoinPolicy,
    posting_policy: PostingPolicy,
    #[serde(default)]
    verified_posting_only: Option<String>,
    #[serde(default)]
    member_list_public: Option<String>,
    /// One rule per line.
    #[serde(default)]
    rules: String,
    #[serde(default)]
    question_1: String,
    #[serde(default)]
    question_2: String,
    #[serde(default)]
    question_3: String,
    #[serde(default)]
    question_4: String,
    #[serde(default)]
    question_5: String,
    #[serde(default)]
    required_1: Option<String>,
    #[serde(default)]
    required_2: Option<String>,
    #[serde(default)]
    required_3: Option<String>,
    #[serde(default)]
    required_4: Option<String>,
    #[serde(default)]
    required_5: Option<String>,
    #[serde(default)]
    welcome_message: String,
    /// `preview` shows the result without saving it.
    #[serde(default)]
    step: Option<String>,
}

impl SettingsForm {
    fn questions(&self) -> Vec<Question> {
        [
            (&self.question_1, &self.required_1),
            (&self.question_2, &self.required_2),
            (&self.question_3, &self.required_3),
            (&self.question_4, &self.required_4),
            (&self.question_5, &self.required_5),
        ]
        .into_iter()
        .filter(|(q, _)| !q.trim().is_empty())
        .map(|(q, required)| Question {
            question: q.trim().to_string(),
            required: required.is_some(),
        })
        .collect()
    }

    fn input(&self) -> SettingsInput {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        SettingsInput {
            title: Some(self.title.clone()),
            summary: Some(text(&self.summary)),
            language: Some(text(&self.language)),
            visibility: Some(self.visibility),
            join_policy: Some(self.join_policy),
            posting_policy: Some(self.posting_policy),
            verified_posting_only: Some(self.verified_posting_only.is_some()),
            rules: Some(self.rules.lines().map(str::to_string).collect()),
            questions: Some(self.questions()),
            welcome_message: Some(text(&self.welcome_message)),
            member_list_public: Some(self.member_list_public.is_some()),
        }
    }
}

/// One row of the questions' part of the form.
pub struct QuestionRow {
    n: usize,
    text: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "moderate_settings.html")]
struct SettingsPage {
    page: Page,
    name: String,
    title: String,
    summary: String,
    language: String,
    visibility: &'static str,
    join_policy: &'static str,
    posting_policy: &'static str,
    verified_posting_only: bool,
    member_list_public: bool,
    rules: String,
    questions: Vec<QuestionRow>,
    welcome_message: String,
    notice: Option<String>,
    error: Option<String>,
    /// The about card as members will see it, when "Preview" was pressed.
    preview: Option<Preview>,
}

/// What members will see of the community, from the form as typed (nothing saved).
pub struct Preview {
    title: String,
    summary_html: Option<String>,
    rules: Vec<String>,
    questions: Vec<Question>,
    welcome_html: Option<String>,
}

fn rows(questions: &[Question]) -> Vec<QuestionRow> {
    (1..=MAX_QUESTIONS)
        .map(|n| {
            let q = questions.get(n - 1);
            QuestionRow {
                n,
                text: q.map(|q| q.question.clone()).unwrap_or_default(),
                required: q.is_some_and(|q| q.required),
            }
        })
        .collect()
}

async fn frame(ctx: &Ctx, name: &str) -> Page {
    let title = ctx
        .lang
        .tv("moderate-settings-title", &[("community", name)]);
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    ctx.page(title, meta).await
}

/// The moderator's standing is checked by the domain when saving; for showing, the same
/// check through the applications list would cost a query more, so it is made here.
async fn must_moderate(ctx: &Ctx, name: &str) -> Result<communities::CommunityDetails> {
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    let details = communities::find_local(&ctx.app.db, name).await?;
    let (id, user_id, admin) = (details.community.id, user.id, user.is_admin);
    let standing = ctx
        .app
        .db
        .run(move |c| {
            crate::membership::access::standing(
                c,
                id,
                Some(crate::db::memberships::Member::Local(user_id)),
                admin,
            )
        })
        .await?;
    if !standing.moderates() {
        return Err(Error::new(
            ErrorCode::NotAModerator,
            "only the community's moderators change its settings",
        ));
    }
    Ok(details)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /c/{name}/moderate/settings`.
pub async fn show(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response> {
    let details = must_moderate(&ctx, &name).await?;
    let c = &details.community;
    let questions: Vec<Question> = serde_json::from_str(&c.questions).map_err(Error::internal)?;
    let rules: Vec<String> = serde_json::from_str(&c.rules).map_err(Error::internal)?;
    let notice = q
        .saved
        .is_some()
        .then(|| ctx.t("moderate-settings-saved").to_string());
    let view = SettingsPage {
        page: frame(&ctx, &name).await,
        name: name.clone(),
        title: c.title.clone(),
        summary: c.summary.clone().unwrap_or_default(),
        language: c.language.clone().unwrap_or_default(),
        visibility: c.visibility().as_str(),
        join_policy: c.join_policy().as_str(),
        posting_policy: c.posting_policy().as_str(),
        verified_posting_only: c.verified_posting_only,
        member_list_public: c.member_list_public,
        rules: rules.join("\n"),
        questions: rows(&questions),
        welcome_message: c.welcome_message.clone().unwrap_or_default(),
        notice,
        error: None,
        preview: None,
    };
    Ok(ctx.ok(view.render()))
}

/// `POST /c/{name}/moderate/settings`.
pub async fn save(
    Path(name): Path<String>,
    submitted: Submitted<SettingsForm>,
) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in first"))?;
    if form.step.as_deref() == Some("preview") {
        must_moderate(&ctx, &name).await?;
        let markdown = |s: &str| {
            Some(s.trim())
                .filter(|s| !s.is_empty())
                .map(crate::content::render_markdown)
        };
        let preview = Preview {
            title: form.title.trim().to_string(),
            summary_html: markdown(&form.summary),
            rules: form
                .rules
                .lines()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            questions: form.questions(),
            welcome_html: markdown(&form.welcome_message),
        };
        let view = SettingsPage {
            page: frame(&ctx, &name).await,
            name: name.clone(),
            title: form.title.clone(),
            summary: form.summary.clone(),
            language: form.language.clone(),
            visibility: form.visibility.as_str(),
            join_policy: form.join_policy.as_str(),
            posting_policy: form.posting_policy.as_str(),
            verified_posting_only: form.verified_posting_only.is_some(),
            member_list_public: form.member_list_public.is_some(),
            rules: form.rules.clone(),
            questions: rows(&form.questions()),
            welcome_message: form.welcome_message.clone(),
            notice: None,
            error: None,
            preview: Some(preview),
        };
        return Ok(ctx.ok(view.render()));
    }
    match settings::update(&ctx.app, user, &name, form.input()).await {
        Ok(_) => Ok(see_other(&format!("/c/{name}/moderate/settings?saved=1"))),
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::CommunitySettingsInvalid
                    | ErrorCode::CommunityTitleInvalid
                    | ErrorCode::CommunitySummaryTooLong
            ) =>
        {
            let view = SettingsPage {
                page: frame(&ctx, &name).await,
                name: name.clone(),
                title: form.title.clone(),
                summary: form.summary.clone(),
                language: form.language.clone(),
                visibility: form.visibility.as_str(),
                join_policy: form.join_policy.as_str(),
                posting_policy: form.posting_policy.as_str(),
                verified_posting_only: form.verified_posting_only.is_some(),
                member_list_public: form.member_list_public.is_some(),
                rules: form.rules.clone(),
                questions: rows(&form.questions()),
                welcome_message: form.welcome_message.clone(),
                notice: None,
                error: Some(e.message().to_string()),
                preview: None,
            };
            Ok(ctx.respond(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
        }
        Err(e) => Err(e),
    }
}
