//! Incoming posts and comments: `Create`, `Update` and `Delete` of `Page`, `Article` and
//! `Note`, sent to a local community or announced by a remote one we follow.
//!
//! A `Page` or `Article` is a post; a `Note` replying to a known post or comment is a
//! comment. A `Note` that replies to nothing but mentions a local community (how a Mastodon
//! user posts to a group) becomes a post titled with its first line, the mention removed.
//! The object's author must be the activity's actor, and its id on the author's host.
//! HTML is sanitized before it is stored.

use serde_json::Value;
use url::Url;

use super::super::protocol::envelope::{authority, id_of};
use crate::app::App;
use crate::content;
use crate::db::comments::{self, NewComment};
use crate::db::posts::{self, NewPost, PostEdit};
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, received, remote_actors};
use crate::discussions::participant::{self, Participant};
use crate::discussions::rank::hot_rank;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::{self, LocalActor};
use crate::federation::publish::Venue;
use crate::federation::restricted;
use crate::federation::urls::Urls;

/// Where an activity came from: straight to our inbox, or inside a remote community's
/// `Announce`.
#[derive(Debug, Clone)]
pub enum Via {
    Direct,
    Announced(Box<CachedActor>),
}

/// The parts of an incoming activity the handlers need.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The activity's id (recorded as processed).
    pub id: String,
    pub kind: String,
    /// The whole activity as received (re-announced as is to a local community's followers).
    pub json: Value,
    /// Its actor, verified.
    pub actor: CachedActor,
    pub via: Via,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| id_of(Some(v)).and_then(Value::as_str).map(str::to_string))
            .collect(),
        Some(Value::Object(_)) => id_of(value)
            .and_then(Value::as_str)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The local community or remote group an object is addressed to.
async fn addressed_venue(app: &App, object: &Value, activity: &Value) -> Result<Option<Venue>> {
    let mut candidates = strings(object.get("audience"));
    for field in ["to", "cc"] {
        candidates.extend(strings(object.get(field)));
        candidates.extend(strings(activity.get(field)));
    }
    candidates.extend(strings(activity.get("audience")));
    // Mastodon addresses a group through a mention.
    if let Some(tags) = object.get("tag").and_then(Value::as_array) {
        for tag in tags {
            if tag.get("type").and_then(Value::as_str) == Some("Mention")
                && let Some(href) = tag.get("href").and_then(Value::as_str)
            {
                candidates.push(href.to_string());
            }
        }
    }
    let urls = Urls::new(&app.config);
    for candidate in candidates {
        if let Some(LocalActor::Community(c)) = local::find(app, &candidate).await? {
            return Ok(Some(Venue::Local {
                id: c.id,
                ap_id: urls.community(&c.name),
            }));
        }
        let id = candidate.clone();
        if let Some(actor) = app
            .db
            .run(move |c| Ok(remote_actors::find_by_ap_id(c, &id)?))
            .await?
            && actor.is_group()
        {
            return Ok(Some(Venue::Remote(Box::new(actor))));
        }
    }
    Ok(None)
}

/// `Create` or `Update` of a post or comment.
pub async fn receive_create_or_update(app: &App, incoming: Incoming, object: Value) -> Result<()> {
    let object_id = id_of(Some(&object))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| invalid("the object has no id"))?;
    let author = id_of(object.get("attributedTo"))
        .or_else(|| {
            object
                .get("attributedTo")
                .and_then(|a| a.as_array())
                .and_then(|a| a.first())
        })
        .and_then(|v| id_of(Some(v)))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if author != incoming.actor.ap_id {
        return Err(Error::new(
            ErrorCode::SignerNotActor,
            "the object's attributedTo is not the activity's actor",
        ));
    }
    if authority(&object_id) != incoming.actor.domain {
        return Err(Error::new(
            ErrorCode::ActivityOriginMismatch,
            "the object is not on its author's host",
        ));
    }
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let in_reply_to = id_of(object.get("inReplyTo"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let html = content::sanitize(
        object
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    );
    // Media from a server whose media the admins reject is left out as it arrives.
    let rejects_media = app
        .policy
        .current()
        .await
        .rejects_media(&incoming.actor.domain);
    let html = if rejects_media {
        content::without_media(&html)
    } else {
        html
    };
    let source = object
        .get("source")
        .and_then(|s| s.get("content"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let published = object
        .get("published")
        .and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.naive_utc())
        .unwrap_or_else(crate::time::now);
    let urls = Urls::new(&app.config);
    let is_update = incoming.kind == "Update";

    // A reply to something we hold is a comment, whatever its type.
    if let Some(parent) = in_reply_to {
        let mut found = find_parent(app, &parent).await?;
        // Announces can overtake each other: a reply may arrive before what it answers.
        // In a followed community, the missing parent is fetched from its origin first.
        if found.is_none()
            && let Via::Announced(community) = &incoming.via
            && super::parents::fetch(app, &parent, community).await
        {
            found = find_parent(app, &parent).await?;
        }
        let Some((post, parent_comment)) = found else {
            if matches!(incoming.via, Via::Announced(_)) {
                // A followed community's thread whose start could not be had right now:
                // not recorded, so the community's retry brings the reply again.
                return Err(Error::new(
                    ErrorCode::FetchFailed,
                    format!("the reply's parent {parent} could not be fetched yet"),
                ));
            }
            tracing::debug!(parent, "a reply to something not held here; ignored");
            return record_only(app, &incoming.id).await;
        };
        let venue = app
            .db
            .run({
                let urls = urls.clone();
                move |c| crate::discussions::posts::venue_of_row(c, &urls, &post)
            })
            .await?;
        check_venue(&incoming, &venue)?;
        crate::federation::policy::doors::venue(app, &venue, &incoming.actor.domain).await?;
        let object_ap_id = object_id.to_string();
        let language = language_of(&object);
        let actor_id = incoming.actor.id;
        let actor = incoming.actor.clone();
        let post_id = parent_comment.as_ref().map_or(0, |p| p.post_id);
        let local_community = matches!(venue, Venue::Local { .. });
        return apply(app, incoming, venue, None, move |c| {
            let post_id = if post_id == 0 {
                posts::find_by_ap_id(c, &parent)?.map_or(0, |p| p.id)
            } else {
                post_id
            };
            match comments::find_by_ap_id(c, &object_ap_id)? {
                Some(existing) => {
                    if existing.author_remote_id != Some(actor_id) {
                        return Err(forbidden());
                    }
                    if existing.pending {
                        comments::confirm(c, existing.id)?;
                        posts::add_comment_count(c, existing.post_id, 1)?;
                    }
                    if is_update {
                        comments::edit(
                            c,
                            existing.id,
                            source.as_deref(),
                            &html,
                            crate::time::now(),
                        )?;
                    }
                }
                None if is_update => {}
                None => {
                    // The same rules as for a person of this server, bans included (a
                    // remote community's own rules are its server's to keep, and bans
                    // from this instance were refused at the inbox).
                    if local_community && let Some(post) = posts::find(c, post_id)? {
                        participant::check_may_comment(c, &post, Participant::Remote(&actor))?;
                    }
                    let now = crate::time::now();
                    comments::insert(
                        c,
                        &NewComment {
                            id: None,
                            ap_id: object_ap_id,
                            post_id,
                            parent_id: parent_comment.as_ref().map(|p| p.id),
                            author_user_id: None,
                            author_remote_id: Some(actor_id),
                            body_source: source,
                            body_html: html,
                            language,
                            pending: false,
                            depth: parent_comment.as_ref().map_or(0, |p| p.depth + 1),
                            published_at: published,
                            created_at: now,
                        },
                    )?;
                    posts::add_comment_count(c, post_id, 1)?;
                }
            }
            Ok(())
        })
        .await;
    }

    // Otherwise a post: a Page or Article, or a Note that mentions a community.
    let Some(venue) = addressed_venue(app, &object, &incoming.json).await? else {
        tracing::debug!(id = %object_id, "an object addressed to no community here; ignored");
        return record_only(app, &incoming.id).await;
    };
    check_venue(&incoming, &venue)?;
    crate::federation::policy::doors::venue(app, &venue, &incoming.actor.domain).await?;
    let (title, body_html) = match kind.as_str() {
        "Note" => title_from_note(&html, venue.ap_id()),
        _ => (
            object
                .get("name")
                .and_then(Value::as_str)
                .map(|t| {
                    content::plain_text(t)
                        .trim()
                        .chars()
                        .take(200)
                        .collect::<String>()
                })
                .filter(|t| !t.is_empty())
                .ok_or_else(|| invalid("a post needs a name"))?,
            html,
        ),
    };
    let url = object
        .get("attachment")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|x| x.get("type").and_then(Value::as_str) == Some("Link"))
        })
        .filter(|l| {
            !rejects_media
                || !l.get("href").and_then(Value::as_str).is_some_and(|href| {
                    content::is_media_link(href, l.get("mediaType").and_then(Value::as_str))
                })
        })
        .and_then(|l| l.get("href"))
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_string);
    let sensitive = object
        .get("sensitive")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let cw = object
        .get("summary")
        .and_then(Value::as_str)
        .map(|s| {
            content::plain_text(s)
                .trim()
                .chars()
                .take(200)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty() && kind != "Note");
    let language = language_of(&object);
    let object_ap_id = object_id.to_string();
    let actor_id = incoming.actor.id;
    // A new post is also announced as the bare Page for Mastodon-like servers; an edit is not.
    let page = (kind != "Note" && !is_update).then(|| object.clone());
    let venue_for_row = venue.clone();
    let object_for_row = object.clone();
    let activity_for_row = incoming.json.clone();
    let object_ap_id_for_recipients = object_id.to_string();
    let urls_for_row = urls.clone();
    let actor = incoming.actor.clone();
    // Content for members only is never re-announced as a bare Page.
    let page = page.filter(|_| restricted::is_public(&[&object, &incoming.json]));
    apply(app, incoming, venue, page, move |c| {
        match posts::find_by_ap_id(c, &object_ap_id)? {
            Some(existing) => {
                if existing.author_remote_id != Some(actor_id) {
                    return Err(forbidden());
                }
                // An edit is announced by the community the post is in, whatever the
                // Update claims: it may not be re-addressed to another community.
                let same_community = match &venue_for_row {
                    Venue::Local { id, .. } => existing.community_id == Some(*id),
                    Venue::Remote(a) => existing.remote_community_id == Some(a.id),
                };
                if !same_community {
                    return Err(Error::new(
                        ErrorCode::Forbidden,
                        "the post belongs to another community",
                    ));
                }
                if is_update {
                    posts::edit(
                        c,
                        existing.id,
                        &PostEdit {
                            title,
                            body_source: source,
                            body_html: Some(body_html),
                            url,
                            language,
                            sensitive,
                            content_warning: cw,
                            edited_at: Some(crate::time::now()),
                        },
                    )?;
                }
            }
            None if is_update => {}
            None => {
                let now = crate::time::now();
                let (community_id, remote_community_id) = match &venue_for_row {
                    Venue::Local { id, .. } => (Some(*id), None),
                    Venue::Remote(a) => (None, Some(a.id)),
                };
                // In a community here: the community's rules decide, and the post goes to
                // the default space. From elsewhere: it is restricted unless public, and
                // shown only to the local people it names.
                let (space_id, restricted) = match community_id {
                    Some(id) => {
                        let who = Participant::Remote(&actor);
                        let (space, restricted) = participant::space_for_post(c, id, who, None)?;
                        (Some(space), restricted)
                    }
                    None => (
                        None,
                        !restricted::is_public(&[&object_for_row, &activity_for_row]),
                    ),
                };
                posts::insert(
                    c,
                    &NewPost {
                        id: None,
                        ap_id: object_ap_id,
                        community_id,
                        remote_community_id,
                        author_user_id: None,
                        author_remote_id: Some(actor_id),
                        title,
                        body_source: source,
                        body_html: Some(body_html),
                        url,
                        language,
                        sensitive,
                        content_warning: cw,
                        pending: false,
                        hot_rank: hot_rank(0, published, now),
                        published_at: published,
                        created_at: now,
                        space_id,
                        restricted,
                    },
                )?;
                if restricted && community_id.is_none() {
                    let stored = posts::find_by_ap_id(c, &object_ap_id_for_recipients)?
                        .ok_or_else(|| Error::internal("post vanished"))?;
                    let readers =
                        local_addressees(c, &urls_for_row, &[&object_for_row, &activity_for_row])?;
                    posts::add_recipients(c, stored.id, &readers)?;
                }
            }
        }
        Ok(())
    })
    .await
}

/// The local people named in the `to` and `cc` of these objects.
fn local_addressees(c: &mut DbConnection, urls: &Urls, values: &[&Value]) -> Result<Vec<i64>> {
    let prefix = format!("{}/u/", urls.base());
    let mut ids = Vec::new();
    for v in values {
        for field in ["to", "cc"] {
            for a in restricted::addressees(v.get(field)) {
                if let Some(name) = a.strip_prefix(&prefix)
                    && let Some(user) = crate::db::users::find_by_username(c, name)?
                {
                    ids.push(user.id);
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The post (and comment, for a reply to a comment) that `parent` names, if held here.
async fn find_parent(
    app: &App,
    parent: &str,
) -> Result<
    Option<(
        crate::db::posts::PostRow,
        Option<crate::db::comments::CommentRow>,
    )>,
> {
    let parent_key = parent.to_string();
    app.db
        .run(move |c| {
            if let Some(post) = posts::find_by_ap_id(c, &parent_key)? {
                return Ok(Some((post, None)));
            }
            if let Some(comment) = comments::find_by_ap_id(c, &parent_key)?
                && let Some(post) = posts::find(c, comment.post_id)?
            {
                return Ok(Some((post, Some(comment))));
            }
            Ok(None)
        })
        .await
}

/// `Delete` of a post or comment by its author.
pub async fn receive_delete(app: &App, incoming: Incoming, object_id: String) -> Result<()> {
    let actor_id = incoming.actor.id;
    let key = object_id.clone();
    let urls = Urls::new(&app.config);
    let venue = app
        .db
        .run(move |c| {
            if let Some(post) = posts::find_by_ap_id(c, &key)? {
                let venue = crate::discussions::posts::venue_of_row(c, &urls, &post)?;
                return Ok(Some((venue, post.author_remote_id)));
            }
            if let Some(comment) = comments::find_by_ap_id(c, &key)?
                && let Some(post) = posts::find(c, comment.post_id)?
            {
                let venue = crate::discussions::posts::venue_of_row(c, &urls, &post)?;
                return Ok(Some((venue, comment.author_remote_id)));
            }
            Ok(None)
        })
        .await?;
    let Some((venue, author)) = venue else {
        return record_only(app, &incoming.id).await;
    };
    // A moderator's removal, with the reason: by someone other than the author, or (as
    // Lemmy tells them apart) with a `summary`, from the community that holds it.
    let announced = matches!(incoming.via, Via::Announced(_));
    let has_reason = incoming.json.get("summary").is_some();
    if author != Some(actor_id) || (announced && has_reason) {
        let reason = super::moderation::reason_of(&incoming.json);
        return super::moderation::receive_removal(app, incoming, object_id, true, reason).await;
    }
    check_venue(&incoming, &venue)?;
    apply(app, incoming, venue, None, move |c| {
        if let Some(post) = posts::find_by_ap_id(c, &object_id)? {
            if post.author_remote_id != Some(actor_id) {
                return Err(forbidden());
            }
            posts::mark_deleted(c, post.id)?;
        } else if let Some(comment) = comments::find_by_ap_id(c, &object_id)? {
            if comment.author_remote_id != Some(actor_id) {
                return Err(forbidden());
            }
            comments::mark_deleted(c, comment.id)?;
        }
        Ok(())
    })
    .await
}

/// An announced activity must come from the community it concerns; a direct one must
/// concern a community of this server (remote communities speak through their Announce).
pub(crate) fn check_venue(incoming: &Incoming, venue: &Venue) -> Result<()> {
    match (&incoming.via, venue) {
        (Via::Direct, Venue::Local { .. }) => Ok(()),
        (Via::Announced(group), Venue::Remote(actor)) if group.id == actor.id => Ok(()),
        _ => Err(Error::new(
            ErrorCode::Forbidden,
            "the activity does not come through the community it concerns",
        )),
    }
}

/// Applies `change`, records the activity as processed and, for a local community, announces
/// it to the community's followers, all in one transaction.
pub(crate) async fn apply<F>(
    app: &App,
    incoming: Incoming,
    venue: Venue,
    page: Option<Value>,
    change: F,
) -> Result<()>
where
    F: FnOnce(&mut DbConnection) -> Result<()> + Send + 'static,
{
    app.change(move |c, events| {
        if !received::record(c, &incoming.id, crate::time::now())? {
            return Ok(());
        }
        change(c)?;
        if let Venue::Local { id, ap_id, .. } = &venue {
            let object = incoming
                .json
                .get("object")
                .and_then(|o| id_of(Some(o)))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let reach = restricted::reach_of_object(c, &object)?;
            let relayed = crate::events::Event::Relayed {
                community_id: *id,
                community: ap_id.clone(),
                reach,
                activity: incoming.json,
                page,
            };
            events.record(c, relayed)?;
        }
        Ok(())
    })
    .await
}

pub(crate) async fn record_only(app: &App, id: &str) -> Result<()> {
    let id = id.to_string();
    app.db
        .run(move |c| {
            received::record(c, &id, crate::time::now())?;
            Ok(())
        })
        .await
}

/// A toot becomes a post: its first line (without the community's mention) is the title,
/// the rest the body.
fn title_from_note(html: &str, community: &str) -> (String, String) {
    let text = content::plain_text(html);
    let handle = community.rsplit('/').next().unwrap_or_default();
    // The first line that says something once the community's mention is taken out.
    let title = text
        .lines()
        .map(|line| {
            line.split_whitespace()
                .filter(|w| !is_mention_of(w, handle))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|line| !line.is_empty())
        .map(|line| line.chars().take(200).collect())
        .unwrap_or_else(|| "(untitled)".to_string());
    (title, html.to_string())
}

/// True for `@name` or `@name@host` naming the community (case aside, trailing
/// punctuation aside), and for nothing longer such as `@namesake`.
fn is_mention_of(word: &str, handle: &str) -> bool {
    let Some(rest) = word.strip_prefix('@') else {
        return false;
    };
    let name = rest.split('@').next().unwrap_or_default();
    let name = name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
    name.eq_ignore_ascii_case(handle)
}

fn language_of(object: &Value) -> Option<String> {
    object
        .get("language")
        .and_then(|l| l.get("identifier"))
        .and_then(Value::as_str)
        .or_else(|| {
            object
                .get("contentMap")
                .and_then(Value::as_object)
                .and_then(|m| m.keys().next().map(String::as_str))
        })
        .map(|l| l.chars().take(16).collect())
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::ActivityInvalid, message)
}

fn forbidden() -> Error {
    Error::new(ErrorCode::Forbidden, "only the author may change this")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_communitys_own_mention_is_dropped_from_a_toot_title() {
        let html = "<p>@Nursing@cop.example Falls: what works? cc @nursingstudents</p>";
        let (title, _) = title_from_note(html, "https://cop.example/c/nursing");
        assert_eq!(title, "Falls: what works? cc @nursingstudents");
        let (title, _) = title_from_note(
            "<p>@nursing</p><p>Second line</p>",
            "https://cop.example/c/nursing",
        );
        assert_eq!(title, "Second line");
    }
}
