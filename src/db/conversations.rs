//! Queries on `conversations` and `conversation_messages`: the private exchanges between a
//! person and a community's moderators.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::memberships::Member;
use super::schema::{conversation_messages, conversations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations)]
pub struct ConversationRow {
    pub id: i64,
    pub community_id: i64,
    pub remote_actor_id: Option<i64>,
    pub user_id: Option<i64>,
    pub unread: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ConversationRow {
    /// The person on the other side.
    pub fn person(&self) -> Option<Member> {
        match (self.user_id, self.remote_actor_id) {
            (Some(id), _) => Some(Member::Local(id)),
            (None, Some(id)) => Some(Member::Remote(id)),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversation_messages)]
pub struct MessageRow {
    pub id: i64,
    pub conversation_id: i64,
    pub ap_id: String,
    pub from_community: bool,
    pub moderator_user_id: Option<i64>,
    pub body_html: String,
    pub body_source: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = conversation_messages)]
pub struct NewMessage {
    pub conversation_id: i64,
    pub ap_id: String,
    pub from_community: bool,
    pub moderator_user_id: Option<i64>,
    pub body_html: String,
    pub body_source: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The conversation of `person` with the moderators of `community_id`, opened if there is
/// none yet.
pub fn open(
    conn: &mut DbConnection,
    community_id: i64,
    person: Member,
    now: NaiveDateTime,
) -> QueryResult<ConversationRow> {
    if let Some(row) = of_person(conn, community_id, person)? {
        return Ok(row);
    }
    let (user_id, remote_actor_id) = match person {
        Member::Local(id) => (Some(id), None),
        Member::Remote(id) => (None, Some(id)),
    };
    diesel::insert_into(conversations::table)
        .values((
            conversations::community_id.eq(community_id),
            conversations::user_id.eq(user_id),
            conversations::remote_actor_id.eq(remote_actor_id),
            conversations::created_at.eq(now),
            conversations::updated_at.eq(now),
        ))
        .execute(conn)?;
    of_person(conn, community_id, person)?.ok_or(diesel::result::Error::NotFound)
}

pub fn of_person(
    conn: &mut DbConnection,
    community_id: i64,
    person: Member,
) -> QueryResult<Option<ConversationRow>> {
    let q = conversations::table
        .filter(conversations::community_id.eq(community_id))
        .select(ConversationRow::as_select())
        .into_boxed();
    let q = match person {
        Member::Local(id) => q.filter(conversations::user_id.eq(id)),
        Member::Remote(id) => q.filter(conversations::remote_actor_id.eq(id)),
    };
    q.first(conn).optional()
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .find(id)
        .select(ConversationRow::as_select())
        .first(conn)
        .optional()
}

/// A community's conversations, the most recently active first.
pub fn of_community(
    conn: &mut DbConnection,
    community_id: i64,
    limit: i64,
) -> QueryResult<Vec<ConversationRow>> {
    conversations::table
        .filter(conversations::community_id.eq(community_id))
        .order((conversations::updated_at.desc(), conversations::id.desc()))
        .limit(limit)
        .select(ConversationRow::as_select())
        .load(conn)
}

/// Adds a message; false when one with its id is already held (a redelivery).
pub fn add(conn: &mut DbConnection, new: &NewMessage) -> QueryResult<bool> {
    if message_by_ap_id(conn, &new.ap_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(conversation_messages::table)
        .values(new)
        .execute(conn)?;
    // The person's messages wait for the moderators; an answer means they were read.
    let target = conversations::table.find(new.conversation_id);
    let touched = conversations::updated_at.eq(new.created_at);
    if new.from_community {
        diesel::update(target)
            .set((touched, conversations::unread.eq(0)))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((touched, conversations::unread.eq(conversations::unread + 1)))
            .execute(conn)?;
    }
    Ok(true)
}

pub fn message_by_ap_id(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<MessageRow>> {
    conversation_messages::table
        .filter(conversation_messages::ap_id.eq(ap_id))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()
}

/// A conversation's messages, oldest first.
pub fn messages(conn: &mut DbConnection, conversation_id: i64) -> QueryResult<Vec<MessageRow>> {
    conversation_messages::table
        .filter(conversation_messages::conversation_id.eq(conversation_id))
        .order(conversation_messages::id.asc())
        .select(MessageRow::as_select())
        .load(conn)
}

pub fn delete_message(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(conversation_messages::table.find(id)).execute(conn)
}

/// The moderators have read the conversation.
pub fn mark_read(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(conversations::table.find(id))
        .set(conversations::unread.eq(0))
        .execute(conn)
}
