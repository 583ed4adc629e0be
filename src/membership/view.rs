//! Memberships as the API shows them.

use serde::Serialize;

use super::model::Answer;
use super::welcome::is_newcomer;
use crate::app::App;
use crate::db::memberships::MembershipRow;
use crate::db::{DbConnection, communities, credentials, remote_actors, users};
use crate::error::Result;
use crate::federation::urls::Urls;
use crate::time::rfc3339;

#[derive(Debug, Clone, Serialize)]
pub struct CredentialView {
    pub name: String,
    pub verified_by: String,
    pub verified_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MembershipView {
    pub id: i64,
    /// `!name@domain` of the community.
    pub community: String,
    /// `@name@domain` of the member.
    pub member: String,
    pub member_actor_id: String,
    pub local: bool,
    pub role: String,
    pub state: String,
    /// Answers to the application questions; `null` for a remote applicant whose server
    /// sent none.
    pub answers: Option<Vec<Answer>>,
    /// "remote applicant, no answers" for an application from a server that cannot send
    /// answers (a `Follow` from Mastodon or Lemmy, a Mobilizon `Join`).
    pub application_note: Option<String>,
    pub rules_accepted_at: Option<String>,
    pub via: String,
    pub decision_reason: Option<String>,
    pub joined_at: Option<String>,
    pub newcomer: bool,
    pub credentials: Vec<CredentialView>,
    pub created_at: String,
}

pub async fn of_row(app: &App, row: MembershipRow) -> Result<MembershipView> {
    let urls = Urls::new(&app.config);
    let domain = app.config.domain.clone();
    app.db.run(move |c| build(c, &urls, &domain, &row)).await
}

/// The view of one row, inside a database closure.
pub fn build(
    c: &mut DbConnection,
    urls: &Urls,
    domain: &str,
    row: &MembershipRow,
) -> Result<MembershipView> {
    let community = match (row.community_id, row.remote_community_id) {
        (Some(id), _) => communities::find(c, id)?
            .map(|c| format!("!{}@{domain}", c.name))
            .unwrap_or_default(),
        (_, Some(id)) => remote_actors::find(c, id)?
            .map(|a| format!("!{}@{}", a.username, a.domain))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let (member, member_actor_id, local) = match (row.user_id, row.remote_actor_id) {
        (Some(id), _) => match users::find(c, id)? {
            Some(u) => (
                format!("@{}@{domain}", u.username),
                urls.person(&u.username),
                true,
            ),
            None => (String::new(), String::new(), true),
        },
        (_, Some(id)) => match remote_actors::find(c, id)? {
            Some(a) => (format!("@{}@{}", a.username, a.domain), a.ap_id, false),
            None => (String::new(), String::new(), false),
        },
        _ => (String::new(), String::new(), false),
    };
    let credentials = credentials::of_membership(c, row.id)?
        .into_iter()
        .map(|cr| CredentialView {
            name: cr.name,
            verified_by: format!("@{}@{domain}", cr.verified_by_name),
            verified_at: rfc3339(cr.verified_at),
        })
        .collect();
    Ok(MembershipView {
        id: row.id,
        community,
        member,
        member_actor_id,
        local,
        role: row.role.clone(),
        state: row.state.clone(),
        answers: super::join::answers_of(row)?,
        application_note: (!local && row.answers.is_none() && row.community_id.is_some())
            .then(|| "remote applicant, no answers".to_string()),
        rules_accepted_at: row.rules_accepted_at.map(rfc3339),
        via: row.via.clone(),
        decision_reason: row.decision_reason.clone(),
        joined_at: row.joined_at.map(rfc3339),
        newcomer: is_newcomer(row.joined_at, crate::time::now()),
        credentials,
        created_at: rfc3339(row.created_at),
    })
}
