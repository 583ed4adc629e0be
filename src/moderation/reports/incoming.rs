//! Reports from other servers (`Flag`), once the federation layer has read them.
//!
//! Each id the Flag names is looked up here, never fetched: a report is about something
//! this server holds (its own posts, comments, people and communities, or content from
//! elsewhere it keeps). Ids that match nothing are ignored; a Flag that matches nothing at
//! all is acknowledged and makes no report, so a hostile server cannot fill a queue with
//! reports about things that do not exist.
//!
//! The queue follows the Flag's shape. Lemmy and mbin address their Flag to the community
//! of the reported post: it goes to that community's moderators. Mastodon addresses its
//! Flag to the reported person and lists their posts beside them: it is about the person,
//! and goes to the admins as one report listing every object, as Mastodon itself files it.

use super::route;
use super::target::describe;
use crate::accounts::{AccountStatus, User};
use crate::app::App;
use crate::communities::Community;
use crate::db::remote_actors::{self, CachedActor};
use crate::db::reports::{self, NewReport};
use crate::db::{DbConnection, comments, communities, posts, received, users};
use crate::discussions::posts::here;
use crate::discussions::views::Here;
use crate::error::{Error, Result};

/// At most this many ids of one Flag are looked up.
pub const MAX_OBJECTS: usize = 50;

/// A Flag as the federation layer read it.
#[derive(Debug, Clone)]
pub struct FlagReport {
    /// The Flag's id.
    pub activity_id: String,
    /// Who sent it: a person, or an instance actor (Mastodon).
    pub reporter: CachedActor,
    /// The ids it names, in order.
    pub objects: Vec<String>,
    /// `to`, `cc` and `audience`.
    pub recipients: Vec<String>,
    /// Plain text, already cut to length.
    pub reason: String,
}

/// Whether reports from `domain` are taken at all: not when the instance's policy for it
/// rejects its reports (Mastodon's `reject_reports`).
pub fn reports_accepted_from(app: &App, domain: &str) -> bool {
    !app.policy.snapshot().rejects_reports(domain)
}

/// What one named id is, here.
enum Named {
    Post(posts::PostRow),
    Comment(comments::CommentRow, Option<i64>),
    LocalPerson(User),
    RemotePerson(CachedActor),
    /// A community here: the report is about it, and goes to the admins.
    Community,
}

/// Files the report a Flag makes, if it names anything held here; returns its id. A Flag
/// seen before (by its id) does nothing.
pub async fn receive(app: &App, flag: FlagReport) -> Result<Option<i64>> {
    if !reports_accepted_from(app, &flag.reporter.domain) {
        tracing::info!(
            domain = flag.reporter.domain,
            "a report from a domain whose reports are rejected"
        );
        return record_only(app, flag.activity_id).await;
    }
    let here = here(app);
    app.db
        .transaction(move |c| {
            let now = crate::time::now();
            if !received::record(c, &flag.activity_id, now)?
                || reports::find_by_ap_id(c, &flag.activity_id)?.is_some()
            {
                return Ok(None);
            }
            let mut named = Vec::new();
            let mut kept = Vec::new();
            for id in flag.objects.iter().take(MAX_OBJECTS) {
                if let Some(thing) = lookup(c, &here, id)? {
                    named.push(thing);
                    kept.push(id.clone());
                }
            }
            if named.is_empty() {
                tracing::info!(
                    flag = flag.activity_id,
                    "a report names nothing held here; no report filed"
                );
                return Ok(None);
            }
            let community_id = queue_of(c, &here, &named, &flag.recipients)?;
            let post_id = named.iter().find_map(|n| match n {
                Named::Post(p) => Some(p.id),
                _ => None,
            });
            let comment_id = named.iter().find_map(|n| match n {
                Named::Comment(cm, _) => Some(cm.id),
                _ => None,
            });
            let person_user_id = named.iter().find_map(|n| match n {
                Named::LocalPerson(u) => Some(u.id),
                _ => None,
            });
            let person_remote_id = named.iter().find_map(|n| match n {
                Named::RemotePerson(a) => Some(a.id),
                _ => None,
            });
            let id = reports::insert(
                c,
                &NewReport {
                    ap_id: Some(flag.activity_id.clone()),
                    reporter_user_id: None,
                    reporter_remote_id: Some(flag.reporter.id),
                    community_id,
                    post_id,
                    comment_id,
                    person_user_id,
                    person_remote_id,
                    object_ap_ids: serde_json::to_string(&kept).map_err(Error::internal)?,
                    reason: flag.reason.clone(),
                    forward: false,
                    created_at: now,
                    open_key: None,
                },
            )?;
            let row = reports::find(c, id)?.ok_or_else(|| Error::internal("report vanished"))?;
            let target = describe(c, &here, &row)?;
            route::tell_handlers(c, &here, id, community_id, &target, now)?;
            Ok(Some(id))
        })
        .await
}

async fn record_only(app: &App, activity_id: String) -> Result<Option<i64>> {
    app.db
        .run(move |c| {
            received::record(c, &activity_id, crate::time::now())?;
            Ok(None)
        })
        .await
}

/// The local community whose queue the report goes to: that of the first named post or
/// comment in a local community, when the Flag is addressed to a community or names no
/// person; otherwise the instance's.
fn queue_of(
    c: &mut DbConnection,
    here: &Here,
    named: &[Named],
    recipients: &[String],
) -> Result<Option<i64>> {
    let content_community = named.iter().find_map(|n| match n {
        Named::Post(p) => p.community_id,
        Named::Comment(_, community_id) => *community_id,
        _ => None,
    });
    let Some(community_id) = content_community else {
        return Ok(None);
    };
    let names_person = named
        .iter()
        .any(|n| matches!(n, Named::LocalPerson(_) | Named::RemotePerson(_)));
    let mut addressed_to_community = false;
    for recipient in recipients {
        if local_community(c, here, recipient)?.is_some()
            || remote_actors::find_by_ap_id(c, recipient)?.is_some_and(|a| a.is_group())
        {
            addressed_to_community = true;
        }
    }
    Ok((addressed_to_community || !names_person).then_some(community_id))
}

fn lookup(c: &mut DbConnection, here: &Here, id: &str) -> Result<Option<Named>> {
    if let Some(post) = posts::find_by_ap_id(c, id)? {
        return Ok(Some(Named::Post(post)));
    }
    if let Some(comment) = comments::find_by_ap_id(c, id)? {
        let community_id = posts::find(c, comment.post_id)?.and_then(|p| p.community_id);
        return Ok(Some(Named::Comment(comment, community_id)));
    }
    if let Some(name) = local_name(id, &here.urls.person("")) {
        return Ok(users::find_by_username(c, name)?
            .filter(|u| u.status() == AccountStatus::Active)
            .map(Named::LocalPerson));
    }
    if local_community(c, here, id)?.is_some() {
        return Ok(Some(Named::Community));
    }
    Ok(remote_actors::find_by_ap_id(c, id)?
        .filter(|a| !a.is_group() && a.kind != "Application")
        .map(Named::RemotePerson))
}

fn local_community(c: &mut DbConnection, here: &Here, id: &str) -> Result<Option<Community>> {
    match local_name(id, &here.urls.community("")) {
        Some(name) => Ok(communities::find_by_name(c, name)?),
        None => Ok(None),
    }
}

/// The name in `{prefix}{name}`, when `id` is exactly that.
fn local_name<'a>(id: &'a str, prefix: &str) -> Option<&'a str> {
    id.strip_prefix(prefix)
        .filter(|name| !name.is_empty() && !name.contains(['/', '?', '#']))
}
