//! A person here reports a post, a comment or a person.

use super::target::describe;
use super::view::{self, ReportView};
use super::{check_reason, forward, invalid, route};
use crate::accounts::{AccountStatus, User};
use crate::app::App;
use crate::db::DbConnection;
use crate::db::comments;
use crate::db::posts::PostRow;
use crate::db::reports::{self, NewReport, Reported};
use crate::discussions::posts::{here, visible};
use crate::error::{Error, ErrorCode, ErrorKind, Result};
use crate::federation::local::LocalActor;
use crate::follows::{self, Target};

/// What a person reports: exactly one of a post, a comment or a person.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    /// A handle (`@ana@host`) or an actor URL.
    pub person: Option<String>,
    pub reason: String,
    /// Also send it to the server the content or person comes from.
    pub forward: bool,
}

enum Subject {
    Post(i64),
    Comment(i64),
    Person(Reported),
}

/// Files a report by `user`. A report of something the reporter already reported, while
/// that report is open, is the same report: the answer is it, with `false`.
pub async fn file(app: &App, user: &User, input: ReportInput) -> Result<(ReportView, bool)> {
    // The same report sent many times at once: one is filed, and the others, finding its
    // key taken, come back for it and return it as the earlier report.
    match file_once(app, user, input.clone()).await {
        Err(e) if e.is_write_race() => file_once(app, user, input).await,
        other => other,
    }
}

async fn file_once(app: &App, user: &User, input: ReportInput) -> Result<(ReportView, bool)> {
    let reason = check_reason(&input.reason)?;
    let subject = match (input.post_id, input.comment_id, input.person.as_deref()) {
        (Some(id), None, None) => Subject::Post(id),
        (None, Some(id), None) => Subject::Comment(id),
        (None, None, Some(person)) => Subject::Person(resolve_person(app, person).await?),
        _ => {
            return Err(invalid(
                "a report names exactly one of post_id, comment_id or person",
            ));
        }
    };
    let here = here(app);
    let reporter = user.clone();
    let forward = input.forward;
    let (view, created) = app
        .change(move |c, events| {
            let (reported, community_id, object) = locate(c, &here, &reporter, &subject)?;
            if let Some(existing) = reports::open_by_reporter(c, reporter.id, reported)? {
                return Ok((view::build(c, &here, &reporter, &existing)?, false));
            }
            let now = crate::time::now();
            let (post_id, comment_id, person_user_id, person_remote_id) = match reported {
                Reported::Post(id) => (Some(id), None, None, None),
                Reported::Comment(id) => (None, Some(id), None, None),
                Reported::LocalPerson(id) => (None, None, Some(id), None),
                Reported::RemotePerson(id) => (None, None, None, Some(id)),
            };
            let id = reports::insert(
                c,
                &NewReport {
                    ap_id: None,
                    reporter_user_id: Some(reporter.id),
                    reporter_remote_id: None,
                    community_id,
                    post_id,
                    comment_id,
                    person_user_id,
                    person_remote_id,
                    object_ap_ids: serde_json::to_string(&[object]).map_err(Error::internal)?,
                    reason,
                    forward,
                    created_at: now,
                    open_key: Some(reports::open_key(
                        reporter.id,
                        post_id,
                        comment_id,
                        person_user_id,
                        person_remote_id,
                    )),
                },
            )?;
            let row = reports::find(c, id)?.ok_or_else(|| Error::internal("report vanished"))?;
            let target = describe(c, &here, &row)?;
            route::tell_handlers(c, &here, id, community_id, &target, now)?;
            if forward {
                forward::queue(c, events, &here, &row)?;
            }
            let row = reports::find(c, id)?.ok_or_else(|| Error::internal("report vanished"))?;
            Ok((view::build(c, &here, &reporter, &row)?, true))
        })
        .await?;
    Ok((view, created))
}

/// The reported thing as stored, the local community whose queue it goes to, and its id.
/// Anything the reporter may not see does not exist, as far as they are told.
fn locate(
    c: &mut DbConnection,
    here: &crate::discussions::views::Here,
    reporter: &User,
    subject: &Subject,
) -> Result<(Reported, Option<i64>, String)> {
    match subject {
        Subject::Post(id) => {
            let post = readable(c, *id, reporter)?
                .filter(|p| !p.deleted && !p.removed)
                .ok_or_else(|| invalid(format!("there is no post {id} to report")))?;
            Ok((Reported::Post(post.id), post.community_id, post.ap_id))
        }
        Subject::Comment(id) => {
            let comment = comments::find(c, *id)?
                .filter(|cm| !cm.deleted && !cm.removed)
                .ok_or_else(|| invalid(format!("there is no comment {id} to report")))?;
            let post = readable(c, comment.post_id, reporter)?
                .ok_or_else(|| invalid(format!("there is no comment {id} to report")))?;
            Ok((
                Reported::Comment(comment.id),
                post.community_id,
                comment.ap_id,
            ))
        }
        Subject::Person(reported) => {
            let ap_id = match reported {
                Reported::LocalPerson(id) => {
                    crate::db::users::find(c, *id)?.map(|u| here.urls.person(&u.username))
                }
                Reported::RemotePerson(id) => {
                    crate::db::remote_actors::find(c, *id)?.map(|a| a.ap_id)
                }
                _ => None,
            }
            .ok_or_else(|| invalid("there is no such person to report"))?;
            Ok((*reported, None, ap_id))
        }
    }
}

/// The post if the reporter may read it.
fn readable(c: &mut DbConnection, id: i64, reporter: &User) -> Result<Option<PostRow>> {
    match visible(c, id, Some(reporter)) {
        Ok(post) => Ok(Some(post)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The person a handle or URL names, here or elsewhere. Communities and servers are not
/// people; a name that resolves to nothing is a bad report, not a missing page.
async fn resolve_person(app: &App, person: &str) -> Result<Reported> {
    let target = follows::resolve(app, person)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::Internal => e,
            _ => invalid(format!("there is no person '{person}' to report")),
        })?;
    match target {
        Target::Local(LocalActor::Person(user)) if user.status() == AccountStatus::Active => {
            Ok(Reported::LocalPerson(user.id))
        }
        Target::Remote(actor) if !actor.is_group() && actor.kind != "Application" => {
            Ok(Reported::RemotePerson(actor.id))
        }
        _ => Err(invalid(format!("'{person}' is not a person"))),
    }
}
