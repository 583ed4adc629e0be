//! Incoming posts and comments: `Create`, `Update` and `Delete` of `Page`, `Article` and
//! `Note`, sent to a local community or announced by a remote one we follow.
//!
//! A `Page` or `Article` is a post; a `Note` replying to a known post or comment is a
//! comment. A `Note` that replies to nothing but mentions a local community (how a Mastodon
//! user posts to a group) becomes a post titled with its first line, the mention removed.
//! The object's author must be the activity's actor, and its id on the author's host.
//! HTML is sanitized before it is stored.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::super::protocol::envelope::{Envelope, authority};
use crate::app::App;
use crate::communities::Community;
use crate::content;
use crate::db::remote_actors::CachedActor;
use crate::db::{DbConnection, comments, follows, posts, received, remote_actors};
use crate::discussions::participant::Participant;
use crate::discussions::write::{self, CommentDraft, Origin, PostDraft, Received};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::{self, LocalActor};
use crate::federation::protocol::activities::{ActivityKind, Addressing, Delete};
use crate::federation::protocol::objects::{ObjectFields, Tag};
use crate::federation::publish::Venue;
use crate::federation::restricted;
use crate::federation::urls::Urls;
use crate::membership::access;
use crate::moderation::conversations;

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
    pub kind: ActivityKind,
    /// The id of the activity's object, as the wire model reads it.
    pub object: Option<String>,
    /// The whole activity as received (re-announced as is to a local community's followers).
    pub json: Value,
    /// Its actor, verified.
    pub actor: CachedActor,
    pub via: Via,
}

impl Incoming {
    /// The activity `env` by `actor`, arrived through `via`; `None` for a type copse does
    /// not know, which is acknowledged and not acted on.
    pub fn of(env: &Envelope, actor: CachedActor, via: Via) -> Option<Incoming> {
        Some(Incoming {
            id: env.id.to_string(),
            kind: ActivityKind::from_type(&env.kind)?,
            object: env.object_id().map(|u| u.to_string()),
            json: env.json.clone(),
            actor,
            via,
        })
    }

    /// A content object that arrived without its `Create` (announced bare, fetched, or
    /// backfilled), under the id `id`.
    pub fn object(id: String, object: &Value, actor: CachedActor, via: Via) -> Incoming {
        Incoming {
            id,
            kind: ActivityKind::Create,
            object: None,
            json: object.clone(),
            actor,
            via,
        }
    }
}

/// A post or comment as it arrives: its type and the fields content objects share.
#[derive(Debug, Deserialize)]
struct ContentObject {
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    fields: ObjectFields,
}

/// The local community or remote group an object is addressed to: named in its `audience`,
/// `to` or `cc` (or the activity's), or mentioned, as Mastodon addresses a group.
async fn addressed_venue(
    app: &App,
    object: &ObjectFields,
    activity: &Addressing,
) -> Result<Option<Venue>> {
    let mut candidates: Vec<&str> = object.audience.iter().map(String::as_str).collect();
    candidates.extend(object.to.iter().chain(&object.cc).map(String::as_str));
    candidates.extend(activity.named());
    candidates.extend(activity.audience.as_deref());
    candidates.extend(object.tag.iter().filter_map(|tag| match tag {
        Tag::Mention(m) => Some(m.href.as_str()),
        _ => None,
    }));
    let urls = Urls::new(&app.config);
    for candidate in candidates {
        if let Some(LocalActor::Community(c)) = local::find(app, candidate).await? {
            return Ok(Some(Venue::Local {
                id: c.id,
                ap_id: urls.community(&c.name),
            }));
        }
        let id = candidate.to_string();
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
    let ContentObject { kind, fields: o } = ContentObject::deserialize(&object)
        .map_err(|e| invalid(&format!("the object cannot be read: {e}")))?;
    let object_id = Url::parse(&o.id).map_err(|_| invalid("the object's id is not a URL"))?;
    if o.author() != Some(incoming.actor.ap_id.as_str()) {
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
    // Mastodon may send the body only per language.
    let body = o
        .content
        .as_deref()
        .or_else(|| o.content_map.values().next().map(String::as_str))
        .unwrap_or_default();
    let html = content::sanitize(body);
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
    let activity = Addressing::of(&incoming.json);
    let received = Received {
        ap_id: o.id.clone(),
        published: o
            .published
            .map(|d| d.naive_utc())
            .unwrap_or_else(crate::time::now),
        public: o.is_public() || activity.is_public(),
        addressees: Vec::new(),
    };
    let language = o
        .language_code()
        .map(|l| l.chars().take(16).collect::<String>());
    let source = o.source.as_ref().map(|s| s.content.clone());
    let is_update = incoming.kind == ActivityKind::Update;

    // Addressing decides privacy: what does not address the public is published in no
    // community here. It is a reply or a post within a space for members, or a note to a
    // community's moderators, or nothing this server shows.
    if !received.public && matches!(incoming.via, Via::Direct) {
        match private_destination(app, &o, &activity).await? {
            Private::Members => {}
            Private::Moderators(community) => {
                if is_update {
                    return record_only(app, &incoming.id).await;
                }
                let message = conversations::Received {
                    ap_id: received.ap_id,
                    html,
                    published: received.published,
                };
                return to_moderators(app, incoming, *community, message).await;
            }
            Private::Nobody => {
                tracing::debug!(id = %object_id, "a private note for no one here; ignored");
                return record_only(app, &incoming.id).await;
            }
        }
    }

    // A reply to something we hold is a comment, whatever its type.
    if let Some(parent) = o.in_reply_to.clone() {
        let draft = CommentDraft {
            body_source: source,
            body_html: html,
            language,
        };
        return receive_comment(app, incoming, parent, draft, received, is_update).await;
    }

    // Otherwise a post: a Page or Article, or a Note that mentions a community.
    let Some(venue) = addressed_venue(app, &o, &activity).await? else {
        // A public status of a person someone here follows: for their feeds.
        if kind == "Note" && received.public && matches!(incoming.via, Via::Direct) {
            let read = super::followed_notes::Read {
                html,
                language,
                published: received.published,
                is_update,
            };
            return super::followed_notes::receive(app, incoming, &o, read).await;
        }
        tracing::debug!(id = %object_id, "an object addressed to no community here; ignored");
        return record_only(app, &incoming.id).await;
    };
    check_venue(&incoming, &venue)?;
    crate::federation::policy::doors::venue(app, &venue, &incoming.actor.domain).await?;
    let is_note = kind == "Note";
    let (title, body_html) = if is_note {
        title_from_note(&html, venue.ap_id())
    } else {
        let title = o
            .name
            .as_deref()
            .map(short_text)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid("a post needs a name"))?;
        (title, html)
    };
    // Lemmy's link post: the first attachment of type Link.
    let url = o
        .attachment
        .iter()
        .find(|a| a.kind.as_deref() == Some("Link"))
        .filter(|a| {
            !rejects_media
                || !a
                    .url
                    .as_deref()
                    .is_some_and(|href| content::is_media_link(href, a.media_type.as_deref()))
        })
        .and_then(|a| a.url.clone())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let draft = PostDraft {
        title,
        body_source: source,
        body_html: Some(body_html),
        url,
        language,
        sensitive: o.sensitive.unwrap_or(false),
        content_warning: o
            .summary
            .as_deref()
            .map(short_text)
            .filter(|s| !s.is_empty() && !is_note),
    };
    // A new public post is also announced as the bare Page for Mastodon-like servers; an
    // edit is not, nor is content for members only.
    let page = (!is_note && !is_update && received.public).then(|| object.clone());
    let urls = Urls::new(&app.config);
    let actor = incoming.actor.clone();
    let mut received = received;
    apply(app, incoming, venue.clone(), page, move |c| {
        let who = Participant::Remote(&actor);
        match posts::find_by_ap_id(c, &received.ap_id)? {
            Some(existing) => {
                if !who.wrote(&existing) {
                    return Err(forbidden());
                }
                // An edit is announced by the community the post is in, whatever the
                // Update claims: it may not be re-addressed to another community.
                let same_community = match &venue {
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
                    write::edit_post(c, &existing, who, draft)?;
                }
            }
            None if is_update => {}
            None => {
                if !received.public
                    && let Venue::Remote(group) = &venue
                {
                    let mut names = activity
                        .named()
                        .chain(o.to.iter().chain(&o.cc).map(String::as_str));
                    received.addressees = readers_here(c, &urls, group, &mut names)?;
                }
                write::new_post(
                    c,
                    &urls,
                    &venue,
                    who,
                    draft,
                    None,
                    Origin::Received(received),
                )?;
            }
        }
        Ok(())
    })
    .await
}

/// Where content that does not address the public goes.
enum Private {
    /// Into a space for members (a reply under a members-only post, a post to a community
    /// whose default space is not public): the community's rules decide, as for any post.
    Members,
    /// To the moderators of this community, as a private conversation.
    Moderators(Box<Community>),
    /// Nowhere: it names no community here.
    Nobody,
}

async fn private_destination(
    app: &App,
    object: &ObjectFields,
    activity: &Addressing,
) -> Result<Private> {
    let community = match addressed_venue(app, object, activity).await? {
        Some(Venue::Local { id, .. }) => {
            app.db
                .run(move |c| Ok(crate::db::communities::find(c, id)?))
                .await?
        }
        _ => None,
    };
    let parent = object.in_reply_to.clone();
    let Some(community) = community else {
        // A reply within a members-only thread may name only the members' collection.
        if let Some(parent) = parent
            && let Some((post, _)) = find_parent(app, &parent).await?
            && post.restricted
        {
            return Ok(Private::Members);
        }
        return Ok(Private::Nobody);
    };
    let community_id = community.id;
    let members = app
        .db
        .run(move |c| {
            let Some(parent) = parent else {
                // A new post: private when the community's default space is.
                let space = crate::db::spaces::default_of(c, community_id)?;
                let community = crate::db::communities::find(c, community_id)?;
                return Ok(match (community, space) {
                    (Some(community), Some(space)) => !access::space_is_public(&community, &space),
                    _ => false,
                });
            };
            if conversations::holds_message(c, community_id, &parent)? {
                return Ok(false);
            }
            let post = match posts::find_by_ap_id(c, &parent)? {
                Some(post) => Some(post),
                None => match comments::find_by_ap_id(c, &parent)? {
                    Some(comment) => posts::find(c, comment.post_id)?,
                    None => None,
                },
            };
            Ok(post.is_some_and(|p| p.restricted && p.community_id == Some(community_id)))
        })
        .await?;
    Ok(if members {
        Private::Members
    } else {
        Private::Moderators(Box::new(community))
    })
}

/// A note to the moderators of `community`, recorded with the activity in one transaction.
async fn to_moderators(
    app: &App,
    incoming: Incoming,
    community: Community,
    message: conversations::Received,
) -> Result<()> {
    let urls = Urls::new(&app.config);
    crate::federation::policy::doors::community(app, community.id, &incoming.actor.domain).await?;
    app.db
        .transaction(move |c| {
            if !received::record(c, &incoming.id, crate::time::now())? {
                return Ok(());
            }
            conversations::receive(c, &urls, &community, &incoming.actor, message)
        })
        .await
}

/// A reply to `parent`: a comment, if what it answers is held here.
async fn receive_comment(
    app: &App,
    incoming: Incoming,
    parent: String,
    draft: CommentDraft,
    received: Received,
    is_update: bool,
) -> Result<()> {
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
    let urls = Urls::new(&app.config);
    let venue = app
        .db
        .run({
            let urls = urls.clone();
            let post = post.clone();
            move |c| crate::discussions::posts::venue_of_row(c, &urls, &post)
        })
        .await?;
    check_venue(&incoming, &venue)?;
    crate::federation::policy::doors::venue(app, &venue, &incoming.actor.domain).await?;
    let actor = incoming.actor.clone();
    apply(app, incoming, venue, None, move |c| {
        let who = Participant::Remote(&actor);
        match comments::find_by_ap_id(c, &received.ap_id)? {
            Some(existing) => {
                if !who.wrote_comment(&existing) {
                    return Err(forbidden());
                }
                if is_update {
                    write::edit_comment(c, &existing, who, draft)?;
                }
            }
            None if is_update => {}
            None => {
                let parent = parent_comment.as_ref();
                let origin = Origin::Received(received);
                write::new_comment(c, &urls, &post, parent, who, draft, origin)?;
            }
        }
        Ok(())
    })
    .await
}

/// Who here may read a restricted post of the remote community `group`: the people of
/// this server named among `names` (ids from `to` and `cc`) and, when it is addressed to the
/// community's followers (as a private community's posts are, Lemmy 1.0's included), the
/// people here whose follow of the community it accepted.
fn readers_here(
    c: &mut DbConnection,
    urls: &Urls,
    group: &CachedActor,
    names: &mut dyn Iterator<Item = &str>,
) -> Result<Vec<i64>> {
    let prefix = format!("{}/u/", urls.base());
    let followers = group
        .followers_url
        .clone()
        .unwrap_or_else(|| format!("{}/followers", group.ap_id));
    let mut ids = Vec::new();
    for name in names {
        if name == followers {
            ids.extend(follows::local_followers_of_remote(c, group.id)?);
        } else if let Some(name) = name.strip_prefix(&prefix)
            && let Some(user) = crate::db::users::find_by_username(c, name)?
        {
            ids.push(user.id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Plain text of at most 200 characters, trimmed: a title or a content warning.
fn short_text(text: &str) -> String {
    content::plain_text(text).trim().chars().take(200).collect()
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

/// `Delete` of a post or comment: by its author, or a moderator's removal.
pub async fn receive_delete(app: &App, incoming: Incoming, delete: Delete) -> Result<()> {
    let Some(object_id) = delete.object.id().map(str::to_string) else {
        return record_only(app, &incoming.id).await;
    };
    let key = object_id.clone();
    let urls = Urls::new(&app.config);
    let actor = incoming.actor.clone();
    let found = app
        .db
        .run(move |c| {
            let who = Participant::Remote(&actor);
            if let Some(post) = posts::find_by_ap_id(c, &key)? {
                let venue = crate::discussions::posts::venue_of_row(c, &urls, &post)?;
                return Ok(Some((venue, who.wrote(&post))));
            }
            if let Some(comment) = comments::find_by_ap_id(c, &key)?
                && let Some(post) = posts::find(c, comment.post_id)?
            {
                let venue = crate::discussions::posts::venue_of_row(c, &urls, &post)?;
                return Ok(Some((venue, who.wrote_comment(&comment))));
            }
            Ok(None)
        })
        .await?;
    let Some((venue, by_author)) = found else {
        // A message its author wrote to a community's moderators, or a followed person's
        // status, taken back.
        let (id, actor) = (incoming.id.clone(), incoming.actor.clone());
        return app
            .db
            .transaction(move |c| {
                if received::record(c, &id, crate::time::now())? {
                    conversations::withdraw(c, &object_id, &actor)?;
                    crate::follows::notes::withdraw(c, &object_id, actor.id)?;
                }
                Ok(())
            })
            .await;
    };
    // A moderator's removal, with the reason: by someone other than the author, or (as
    // Lemmy tells them apart) with a `summary`, from the community that holds it.
    let announced = matches!(incoming.via, Via::Announced(_));
    if !by_author || (announced && delete.summary.is_some()) {
        let reason = super::moderation::reason_in(delete.summary.as_deref());
        return super::moderation::receive_removal(app, incoming, object_id, true, reason).await;
    }
    check_venue(&incoming, &venue)?;
    let actor = incoming.actor.clone();
    apply(app, incoming, venue, None, move |c| {
        let who = Participant::Remote(&actor);
        if let Some(post) = posts::find_by_ap_id(c, &object_id)? {
            write::delete_post(c, &post, who)?;
        } else if let Some(comment) = comments::find_by_ap_id(c, &object_id)? {
            write::delete_comment(c, &comment, who)?;
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
            let object = incoming.object.as_deref().unwrap_or_default();
            let reach = restricted::reach_of_object(c, object)?;
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
