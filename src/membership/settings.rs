//! Community settings: who may see, join and post, the rules, the application questions
//! and the welcome message. Only the community's moderators (and admins) change them.

use super::access;
use super::model::{
    JoinPolicy, MAX_QUESTION_CHARS, MAX_QUESTIONS, MAX_RULE_CHARS, MAX_RULES, MAX_WELCOME_CHARS,
    PostingPolicy, Question, Visibility, decode_list, encode_list,
};
use crate::accounts::User;
use crate::app::App;
use crate::communities::{self, CommunityDetails, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS};
use crate::db::communities::SettingsChange;
use crate::db::memberships::Member;
use crate::db::{communities as db_communities, posts, spaces};
use crate::error::{Error, ErrorCode, Result};

/// A change of settings: absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub title: Option<String>,
    pub summary: Option<Option<String>>,
    pub language: Option<Option<String>>,
    pub visibility: Option<Visibility>,
    pub join_policy: Option<JoinPolicy>,
    pub posting_policy: Option<PostingPolicy>,
    pub verified_posting_only: Option<bool>,
    pub rules: Option<Vec<String>>,
    pub questions: Option<Vec<Question>>,
    pub welcome_message: Option<Option<String>>,
    pub member_list_public: Option<bool>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::CommunitySettingsInvalid, message)
}

fn trimmed(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

/// Applies `input` to the community `name`, if `user` moderates it. Returns the community
/// as it now is, and whether its actor changed in a way other servers should hear of.
pub async fn update(
    app: &App,
    user: &User,
    name: &str,
    input: SettingsInput,
) -> Result<CommunityDetails> {
    let details = communities::find_local(&app.db, name).await?;
    let c = details.community.clone();
    let user_id = user.id;
    let admin = user.is_admin;
    let community_id = c.id;
    let standing = app
        .db
        .run(move |conn| access::standing(conn, community_id, Some(Member::Local(user_id)), admin))
        .await?;
    if !standing.moderates() {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "only the community's moderators change its settings",
        ));
    }
    let title = input.title.unwrap_or(c.title.clone()).trim().to_string();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::new(
            ErrorCode::CommunityTitleInvalid,
            format!("the title must be 1 to {MAX_TITLE_CHARS} characters"),
        ));
    }
    let summary = input
        .summary
        .unwrap_or(c.summary.clone())
        .filter(|s| !s.trim().is_empty());
    if summary
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SUMMARY_CHARS)
    {
        return Err(Error::new(
            ErrorCode::CommunitySummaryTooLong,
            format!("the summary must be at most {MAX_SUMMARY_CHARS} characters"),
        ));
    }
    let language = input
        .language
        .unwrap_or(c.language.clone())
        .filter(|l| !l.trim().is_empty());
    let visibility = input.visibility.unwrap_or(c.visibility());
    let join_policy = input.join_policy.unwrap_or(c.join_policy());
    if visibility == Visibility::Private && join_policy == JoinPolicy::Open {
        return Err(invalid(
            "a private community needs a join policy of approval or invite",
        ));
    }
    let rules = match input.rules {
        Some(r) => trimmed(r),
        None => decode_list(&c.rules)?,
    };
    if rules.len() > MAX_RULES || rules.iter().any(|r| r.chars().count() > MAX_RULE_CHARS) {
        return Err(invalid(format!(
            "at most {MAX_RULES} rules of at most {MAX_RULE_CHARS} characters each"
        )));
    }
    let questions: Vec<Question> = match input.questions {
        Some(q) => q
            .into_iter()
            .map(|q| Question {
                question: q.question.trim().to_string(),
                required: q.required,
            })
            .collect(),
        None => decode_list(&c.questions)?,
    };
    if questions.len() > MAX_QUESTIONS
        || questions
            .iter()
            .any(|q| q.question.is_empty() || q.question.chars().count() > MAX_QUESTION_CHARS)
    {
        return Err(invalid(format!(
            "at most {MAX_QUESTIONS} questions, each 1 to {MAX_QUESTION_CHARS} characters"
        )));
    }
    let welcome_message = input
        .welcome_message
        .unwrap_or(c.welcome_message.clone())
        .filter(|w| !w.trim().is_empty());
    if welcome_message
        .as_ref()
        .is_some_and(|w| w.chars().count() > MAX_WELCOME_CHARS)
    {
        return Err(invalid(format!(
            "the welcome message is at most {MAX_WELCOME_CHARS} characters"
        )));
    }
    let change = SettingsChange {
        title,
        summary,
        language,
        visibility: visibility.as_str().into(),
        join_policy: join_policy.as_str().into(),
        posting_policy: input
            .posting_policy
            .unwrap_or(c.posting_policy())
            .as_str()
            .into(),
        verified_posting_only: input
            .verified_posting_only
            .unwrap_or(c.verified_posting_only),
        rules: encode_list(&rules)?,
        questions: encode_list(&questions)?,
        welcome_message,
        member_list_public: input.member_list_public.unwrap_or(c.member_list_public),
        discoverable: c.discoverable,
        updated_at: crate::time::now(),
    };
    let private = visibility == Visibility::Private;
    let community_name = name.to_string();
    app.change(move |conn, events| {
        db_communities::update_settings(conn, community_id, &change)?;
        // A community turned private (or public again) takes its posts with it.
        let public_spaces: Vec<i64> = spaces::of_community(conn, community_id)?
            .into_iter()
            .filter(|s| s.audience == super::model::Audience::Everyone.as_str())
            .map(|s| s.id)
            .collect();
        posts::restrict_community(conn, community_id, private, &public_spaces)?;
        let event = crate::events::Event::CommunityUpdated {
            name: community_name,
        };
        events.record(conn, event)
    })
    .await?;
    communities::find_local(&app.db, name).await
}
