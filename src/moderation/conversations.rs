//! Private conversations with a community's moderators.
//!
//! Someone who writes to a community without addressing the public (a Mastodon user's
//! direct message to the group, a followers-only note mentioning it) is not posting in it:
//! what they wrote goes to the community's moderators, privately, as a conversation. The
//! moderators read it and answer as the community; the person never learns which
//! moderator answered. A person of this server can write to the moderators the same way.
//! Conversations are seen by the community's moderators and the person, nowhere else: not
//! in listings, outboxes, feeds or the public moderation log.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::authority::not_a_moderator;
use crate::accounts::User;
use crate::accounts::notify;
use crate::app::App;
use crate::communities::Community;
use crate::content;
use crate::db::conversations::{self, ConversationRow, MessageRow, NewMessage};
use crate::db::memberships::{self, Member};
use crate::db::remote_actors::{self, CachedActor};
use crate::db::{DbConnection, communities, users};
use crate::discussions::model::Author;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{ConversationAnswer, Event};
use crate::federation::urls::Urls;
use crate::i18n::Message;
use crate::membership::access;

/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 10_000;
/// How many conversations a page of the moderators' queue shows.
const PAGE: i64 = 50;

/// A conversation in the moderators' queue.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationView {
    pub id: i64,
    pub person: Author,
    /// Messages from the person the moderators have not read.
    pub unread: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// One message. `moderator` is shown to moderators only.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub from_community: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderator: Option<String>,
    pub body_html: String,
    pub created_at: String,
}

/// A conversation and its messages, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: ConversationView,
    pub messages: Vec<MessageView>,
}

/// A message received from a person of another server, as the inbox read it.
#[derive(Debug, Clone)]
pub struct Received {
    pub ap_id: String,
    /// Sanitized HTML.
    pub html: String,
    pub published: NaiveDateTime,
}

/// A person of another server wrote to `community` privately. Runs in the inbox's
/// transaction; a message already held is not added again.
pub fn receive(
    c: &mut DbConnection,
    urls: &Urls,
    community: &Community,
    actor: &CachedActor,
    message: Received,
) -> Result<()> {
    let now = crate::time::now();
    let conversation = conversations::open(c, community.id, Member::Remote(actor.id), now)?;
    let added = conversations::add(
        c,
        &NewMessage {
            conversation_id: conversation.id,
            ap_id: message.ap_id,
            from_community: false,
            moderator_user_id: None,
            body_html: message.html,
            body_source: None,
            created_at: message.published.min(now),
        },
    )?;
    if added {
        let handle = format!("@{}@{}", actor.username, actor.domain);
        notify_moderators(c, urls, community, &handle)?;
    }
    Ok(())
}

/// A person of another server deleted the message `ap_id` they had written to a
/// community's moderators: it is deleted here too. Anyone else's Delete of it changes
/// nothing.
pub fn withdraw(c: &mut DbConnection, ap_id: &str, actor: &CachedActor) -> Result<()> {
    let Some(message) = conversations::message_by_ap_id(c, ap_id)? else {
        return Ok(());
    };
    let Some(conversation) = conversations::find(c, message.conversation_id)? else {
        return Ok(());
    };
    if !message.from_community && conversation.remote_actor_id == Some(actor.id) {
        conversations::delete_message(c, message.id)?;
    }
    Ok(())
}

/// Whether `ap_id` is a message of a conversation with the moderators of `community_id`:
/// a reply to it continues that conversation.
pub fn holds_message(c: &mut DbConnection, community_id: i64, ap_id: &str) -> Result<bool> {
    Ok(match conversations::message_by_ap_id(c, ap_id)? {
        Some(m) => conversations::find(c, m.conversation_id)?
            .is_some_and(|conv| conv.community_id == community_id),
        None => false,
    })
}

/// The community's conversations, for its moderators: the most recently active first.
pub async fn list(app: &App, user: &User, community: &str) -> Result<Vec<ConversationView>> {
    let (user, name, urls) = (user.clone(), community.to_string(), Urls::new(&app.config));
    let domain = app.config.domain.clone();
    app.db
        .run(move |c| {
            let community = moderated(c, &user, &name)?;
            conversations::of_community(c, community.id, PAGE)?
                .iter()
                .map(|row| view(c, &urls, &domain, row))
                .collect()
        })
        .await
}

/// One conversation, for the community's moderators, who have now read it.
pub async fn show(app: &App, user: &User, community: &str, id: i64) -> Result<ConversationDetail> {
    let (user, name, urls) = (user.clone(), community.to_string(), Urls::new(&app.config));
    let domain = app.config.domain.clone();
    app.db
        .transaction(move |c| {
            let community = moderated(c, &user, &name)?;
            let row = in_community(c, &community, id)?;
            conversations::mark_read(c, row.id)?;
            detail(c, &urls, &domain, &row, true)
        })
        .await
}

/// A moderator answers, as the community: to a person of another server as a direct
/// message, to a person of this server as a notification.
pub async fn answer(
    app: &App,
    user: &User,
    community: &str,
    id: i64,
    body: &str,
) -> Result<MessageView> {
    let (html, source) = checked(body)?;
    let (user, name, urls) = (user.clone(), community.to_string(), Urls::new(&app.config));
    app.change(move |c, events| {
        let community = moderated(c, &user, &name)?;
        let row = in_community(c, &community, id)?;
        let now = crate::time::now();
        let note = urls.new_activity_id("note");
        let in_reply_to = conversations::messages(c, row.id)?
            .into_iter()
            .rev()
            .find(|m| !m.from_community)
            .map(|m| m.ap_id);
        conversations::add(
            c,
            &NewMessage {
                conversation_id: row.id,
                ap_id: note.clone(),
                from_community: true,
                moderator_user_id: Some(user.id),
                body_html: html.clone(),
                body_source: Some(source),
                created_at: now,
            },
        )?;
        let community_ap_id = urls.community(&community.name);
        match row.person() {
            Some(Member::Remote(actor_id)) => {
                let actor = remote_actors::find(c, actor_id)?
                    .ok_or_else(|| Error::new(ErrorCode::NotFound, "the person is gone"))?;
                let answer = ConversationAnswer {
                    community: community_ap_id,
                    handle: format!("@{}@{}", actor.username, actor.domain),
                    person: actor.ap_id,
                    inbox: actor.inbox,
                    note: note.clone(),
                    html,
                    published: now,
                    in_reply_to,
                };
                events.record(c, Event::ConversationAnswered(answer))?;
            }
            Some(Member::Local(user_id)) => {
                let message = Message::new("notice-conversation-answer")
                    .arg("community", format!("!{}", community.name));
                let kind = "conversation_answer";
                notify(c, user_id, kind, Some(&community_ap_id), &message, now)?;
            }
            None => {}
        }
        let row = conversations::message_by_ap_id(c, &note)?
            .ok_or_else(|| Error::internal("answer vanished"))?;
        message_view(c, &row, true)
    })
    .await
}

/// A person of this server writes to the moderators of `community`.
pub async fn write(app: &App, user: &User, community: &str, body: &str) -> Result<MessageView> {
    let (html, source) = checked(body)?;
    let (user, name, urls) = (user.clone(), community.to_string(), Urls::new(&app.config));
    let domain = app.config.domain.clone();
    app.db
        .transaction(move |c| {
            let community = communities::find_by_name(c, &name)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
            let now = crate::time::now();
            let row = conversations::open(c, community.id, Member::Local(user.id), now)?;
            let ap_id = urls.new_activity_id("note");
            conversations::add(
                c,
                &NewMessage {
                    conversation_id: row.id,
                    ap_id: ap_id.clone(),
                    from_community: false,
                    moderator_user_id: None,
                    body_html: html,
                    body_source: Some(source),
                    created_at: now,
                },
            )?;
            let handle = format!("@{}@{domain}", user.username);
            notify_moderators(c, &urls, &community, &handle)?;
            let row = conversations::message_by_ap_id(c, &ap_id)?
                .ok_or_else(|| Error::internal("message vanished"))?;
            message_view(c, &row, false)
        })
        .await
}

/// The conversation of a person of this server with the moderators of `community`, as
/// that person sees it (answers signed by the community, not by a moderator).
pub async fn mine(app: &App, user: &User, community: &str) -> Result<ConversationDetail> {
    let (user, name, urls) = (user.clone(), community.to_string(), Urls::new(&app.config));
    let domain = app.config.domain.clone();
    app.db
        .run(move |c| {
            let community = communities::find_by_name(c, &name)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
            let row = conversations::of_person(c, community.id, Member::Local(user.id))?
                .ok_or_else(|| {
                    Error::new(ErrorCode::NotFound, "no conversation with this community")
                })?;
            detail(c, &urls, &domain, &row, false)
        })
        .await
}

fn checked(body: &str) -> Result<(String, String)> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_MESSAGE {
        return Err(Error::new(
            ErrorCode::MessageInvalid,
            format!("a message is 1 to {MAX_MESSAGE} characters"),
        ));
    }
    Ok((content::render_markdown(body), body.to_string()))
}

/// The community named `name`, if `user` moderates it (admins included).
fn moderated(c: &mut DbConnection, user: &User, name: &str) -> Result<Community> {
    let community = communities::find_by_name(c, name)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
    let standing = access::standing(c, community.id, Some(Member::Local(user.id)), user.is_admin)?;
    if !standing.moderates() {
        return Err(not_a_moderator());
    }
    Ok(community)
}

fn in_community(c: &mut DbConnection, community: &Community, id: i64) -> Result<ConversationRow> {
    conversations::find(c, id)?
        .filter(|row| row.community_id == community.id)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such conversation"))
}

fn notify_moderators(
    c: &mut DbConnection,
    urls: &Urls,
    community: &Community,
    handle: &str,
) -> Result<()> {
    let message = Message::new("notice-conversation")
        .arg("person", handle)
        .arg("community", format!("!{}", community.name));
    let community_ap_id = urls.community(&community.name);
    let now = crate::time::now();
    for moderator in memberships::moderator_ids(c, community.id)? {
        notify(
            c,
            moderator,
            "conversation",
            Some(&community_ap_id),
            &message,
            now,
        )?;
    }
    Ok(())
}

fn view(
    c: &mut DbConnection,
    urls: &Urls,
    domain: &str,
    row: &ConversationRow,
) -> Result<ConversationView> {
    let person = match row.person() {
        Some(Member::Local(id)) => users::find(c, id)?.map(|u| Author {
            handle: format!("@{}@{domain}", u.username),
            actor_id: urls.person(&u.username),
            local: true,
        }),
        Some(Member::Remote(id)) => remote_actors::find(c, id)?.map(|a| Author {
            handle: format!("@{}@{}", a.username, a.domain),
            actor_id: a.ap_id,
            local: false,
        }),
        None => None,
    }
    .ok_or_else(|| Error::new(ErrorCode::NotFound, "the person is gone"))?;
    Ok(ConversationView {
        id: row.id,
        person,
        unread: row.unread,
        created_at: crate::time::rfc3339(row.created_at),
        updated_at: crate::time::rfc3339(row.updated_at),
    })
}

fn detail(
    c: &mut DbConnection,
    urls: &Urls,
    domain: &str,
    row: &ConversationRow,
    for_moderators: bool,
) -> Result<ConversationDetail> {
    let conversation = view(c, urls, domain, row)?;
    let messages = conversations::messages(c, row.id)?
        .iter()
        .map(|m| message_view(c, m, for_moderators))
        .collect::<Result<Vec<_>>>()?;
    Ok(ConversationDetail {
        conversation,
        messages,
    })
}

fn message_view(c: &mut DbConnection, m: &MessageRow, for_moderators: bool) -> Result<MessageView> {
    let moderator = match (for_moderators, m.moderator_user_id) {
        (true, Some(id)) => users::find(c, id)?.map(|u| u.username),
        _ => None,
    };
    Ok(MessageView {
        id: m.id,
        from_community: m.from_community,
        moderator,
        body_html: m.body_html.clone(),
        created_at: crate::time::rfc3339(m.created_at),
    })
}
