//! Purge: an admin deletes for good (not hides) a post, a comment, or everything a person
//! wrote here, for what must not be kept at all. The moderation log keeps the title or
//! name. Content of a community of this server is also removed on the servers that follow
//! it (a moderator's `Delete`); what other servers hold of their own content stays theirs.

use serde::Serialize;

use super::authority::{Attempt, require_admin};
use super::content::{check_reason, comment_label};
use super::log::{self, Action, LogEntry, Moderator, TargetKind};
use crate::accounts::User;
use crate::app::App;
use crate::communities::{Reach, Venue};
use crate::db::memberships::Member;
use crate::db::schema::{comments as comments_t, posts as posts_t};
use crate::db::{DbConnection, comments, posts};
use crate::discussions::posts::venue_of_row;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Event, Recorder};
use crate::federation::urls::Urls;

/// What to purge.
#[derive(Debug, Clone)]
pub enum Purge {
    Post(i64),
    Comment(i64),
    /// A handle or actor URL: every post and comment of that person held here.
    Person(String),
}

/// What was purged.
#[derive(Debug, Clone, Serialize)]
pub struct Purged {
    pub posts: usize,
    pub comments: usize,
}

/// An admin purges `what`.
pub async fn purge(app: &App, admin: &User, what: Purge, reason: Option<String>) -> Result<Purged> {
    let reason = check_reason(reason)?;
    let urls = Urls::new(&app.config);
    let person = match &what {
        Purge::Person(query) => {
            let person = super::bans::resolve_person(app, query).await?;
            Some((person.ap_id, person.member))
        }
        _ => None,
    };
    let label = match (&what, &person) {
        (Purge::Post(id), _) => format!("post {id}"),
        (Purge::Comment(id), _) => format!("comment {id}"),
        (_, Some((ap_id, _))) => ap_id.clone(),
        _ => String::new(),
    };
    {
        let urls = urls.clone();
        let actor = admin.clone();
        let action = action_of(&what);
        app.db
            .run(move |c| {
                let attempt = Attempt {
                    action,
                    target_kind: kind_of(action),
                    target_ap_id: &label,
                };
                require_admin(c, &urls, &actor, attempt)
            })
            .await?;
    }
    let admin = admin.clone();
    app.change(move |c, events| {
        let moderator = Moderator {
            user_id: Some(admin.id),
            ap_id: urls.person(&admin.username),
        };
        match (what, person) {
            (Purge::Post(id), _) => purge_post(c, events, &urls, &moderator, id, reason),
            (Purge::Comment(id), _) => purge_comment(c, events, &urls, &moderator, id, reason),
            (Purge::Person(_), Some((ap_id, member))) => {
                purge_person(c, events, &urls, &moderator, &ap_id, member, reason)
            }
            (Purge::Person(_), None) => Err(Error::internal("person not resolved")),
        }
    })
    .await
}

fn action_of(what: &Purge) -> Action {
    match what {
        Purge::Post(_) => Action::PurgePost,
        Purge::Comment(_) => Action::PurgeComment,
        Purge::Person(_) => Action::PurgePerson,
    }
}

fn kind_of(action: Action) -> TargetKind {
    match action {
        Action::PurgePost => TargetKind::Post,
        Action::PurgeComment => TargetKind::Comment,
        _ => TargetKind::Person,
    }
}

/// Followers of a local community are told the object is gone.
fn tell_followers(
    c: &mut DbConnection,
    events: &mut Recorder,
    moderator: &Moderator,
    (venue, reach): (&Venue, Reach),
    object: &str,
    reason: Option<&str>,
) -> Result<()> {
    if matches!(venue, Venue::Local { .. }) {
        let event = Event::RemovalChanged {
            moderator: moderator.ap_id.clone(),
            object: object.to_string(),
            venue: venue.clone(),
            reach,
            reason: reason.map(str::to_string),
            removed: true,
        };
        events.record(c, event)?;
    }
    Ok(())
}

fn purge_post(
    c: &mut DbConnection,
    events: &mut Recorder,
    urls: &Urls,
    moderator: &Moderator,
    id: i64,
    reason: Option<String>,
) -> Result<Purged> {
    let post =
        posts::find(c, id)?.ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
    let venue = venue_of_row(c, urls, &post)?;
    tell_followers(
        c,
        events,
        moderator,
        (&venue, Reach::of_post(&post)),
        &post.ap_id,
        reason.as_deref(),
    )?;
    let comment_count = comments::of_post(c, id)?.len();
    posts::purge(c, id)?;
    let mut e = LogEntry::new(moderator.clone(), Action::PurgePost, TargetKind::Post);
    e.community_id = post.community_id;
    e.community_ap_id = Some(venue.ap_id().to_string());
    e.target_ap_id = Some(post.ap_id.clone());
    e.target_label = Some(post.title.clone());
    e.reason = reason;
    log::record(c, e)?;
    Ok(Purged {
        posts: 1,
        comments: comment_count,
    })
}

fn purge_comment(
    c: &mut DbConnection,
    events: &mut Recorder,
    urls: &Urls,
    moderator: &Moderator,
    id: i64,
    reason: Option<String>,
) -> Result<Purged> {
    let comment =
        comments::find(c, id)?.ok_or_else(|| Error::new(ErrorCode::NotFound, "no such comment"))?;
    let post = posts::find(c, comment.post_id)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
    let venue = venue_of_row(c, urls, &post)?;
    tell_followers(
        c,
        events,
        moderator,
        (&venue, Reach::of_post(&post)),
        &comment.ap_id,
        reason.as_deref(),
    )?;
    let n = comments::subtree_size(c, id)?;
    comments::purge(c, id)?;
    posts::add_comment_count(c, post.id, -(n as i32))?;
    let mut e = LogEntry::new(moderator.clone(), Action::PurgeComment, TargetKind::Comment);
    e.community_id = post.community_id;
    e.community_ap_id = Some(venue.ap_id().to_string());
    e.target_ap_id = Some(comment.ap_id.clone());
    e.target_label = Some(comment_label(&comment));
    e.reason = reason;
    log::record(c, e)?;
    Ok(Purged {
        posts: 0,
        comments: n as usize,
    })
}

fn purge_person(
    c: &mut DbConnection,
    events: &mut Recorder,
    urls: &Urls,
    moderator: &Moderator,
    ap_id: &str,
    member: Member,
    reason: Option<String>,
) -> Result<Purged> {
    use diesel::prelude::*;
    let post_ids: Vec<i64> = match member {
        Member::Local(id) => posts_t::table
            .filter(posts_t::author_user_id.eq(id))
            .select(posts_t::id)
            .load(c)?,
        Member::Remote(id) => posts_t::table
            .filter(posts_t::author_remote_id.eq(id))
            .select(posts_t::id)
            .load(c)?,
    };
    let comment_ids: Vec<i64> = match member {
        Member::Local(id) => comments_t::table
            .filter(comments_t::author_user_id.eq(id))
            .select(comments_t::id)
            .load(c)?,
        Member::Remote(id) => comments_t::table
            .filter(comments_t::author_remote_id.eq(id))
            .select(comments_t::id)
            .load(c)?,
    };
    let mut purged = Purged {
        posts: 0,
        comments: 0,
    };
    for id in comment_ids {
        // A reply may already have gone with an earlier comment of theirs.
        if comments::find(c, id)?.is_some() {
            purged.comments +=
                purge_comment(c, events, urls, moderator, id, reason.clone())?.comments;
        }
    }
    for id in post_ids {
        let p = purge_post(c, events, urls, moderator, id, reason.clone())?;
        purged.posts += p.posts;
        purged.comments += p.comments;
    }
    let mut e = LogEntry::new(moderator.clone(), Action::PurgePerson, TargetKind::Person);
    e.target_ap_id = Some(ap_id.to_string());
    e.target_label = Some(ap_id.to_string());
    e.reason = reason;
    log::record(c, e)?;
    Ok(purged)
}
