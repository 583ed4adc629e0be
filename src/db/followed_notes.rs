//! Queries on `followed_notes`: what followed people of other servers posted outside any
//! community.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{followed_notes, follows, remote_actors};

/// A note as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = followed_notes)]
pub struct NoteRow {
    pub id: i64,
    pub ap_id: String,
    pub author_remote_id: i64,
    pub content_html: String,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub language: Option<String>,
    pub published_at: NaiveDateTime,
    pub updated_at: Option<NaiveDateTime>,
    pub received_at: NaiveDateTime,
}

/// A note before it is stored, or its new text.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = followed_notes)]
pub struct NewNote {
    pub ap_id: String,
    pub author_remote_id: i64,
    pub content_html: String,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub language: Option<String>,
    pub published_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
}

/// A note's author: username, domain, display name and actor id.
pub type NoteAuthor = (String, String, Option<String>, String);

/// Whether someone here follows the remote actor `actor_id` (their follow accepted).
pub fn is_followed_here(conn: &mut DbConnection, actor_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        follows::table
            .filter(follows::target_remote_id.eq(actor_id))
            .filter(follows::follower_user_id.is_not_null())
            .filter(follows::state.eq("accepted")),
    ))
    .get_result(conn)
}

pub fn find_by_ap_id(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<NoteRow>> {
    followed_notes::table
        .filter(followed_notes::ap_id.eq(ap_id))
        .select(NoteRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, note: &NewNote) -> QueryResult<usize> {
    diesel::insert_into(followed_notes::table)
        .values(note)
        .execute(conn)
}

/// Replaces a note's text, as its author edited it.
pub fn edit(
    conn: &mut DbConnection,
    id: i64,
    note: &NewNote,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(followed_notes::table.find(id))
        .set((
            followed_notes::content_html.eq(&note.content_html),
            followed_notes::summary.eq(&note.summary),
            followed_notes::sensitive.eq(note.sensitive),
            followed_notes::language.eq(&note.language),
            followed_notes::updated_at.eq(Some(at)),
        ))
        .execute(conn)
}

/// Deletes the note `ap_id` if `author_remote_id` wrote it.
pub fn delete_by_author(
    conn: &mut DbConnection,
    ap_id: &str,
    author_remote_id: i64,
) -> QueryResult<usize> {
    diesel::delete(
        followed_notes::table
            .filter(followed_notes::ap_id.eq(ap_id))
            .filter(followed_notes::author_remote_id.eq(author_remote_id)),
    )
    .execute(conn)
}

/// The newest notes of `authors` published before `before` (a time, and the id under
/// which notes of that very time start), with their authors.
pub fn of_authors(
    conn: &mut DbConnection,
    authors: &[i64],
    before: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<(NoteRow, NoteAuthor)>> {
    let mut q = followed_notes::table
        .inner_join(remote_actors::table)
        .filter(followed_notes::author_remote_id.eq_any(authors))
        .select((
            NoteRow::as_select(),
            (
                remote_actors::username,
                remote_actors::domain,
                remote_actors::display_name,
                remote_actors::ap_id,
            ),
        ))
        .order((
            followed_notes::published_at.desc(),
            followed_notes::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            followed_notes::published_at
                .lt(at)
                .or(followed_notes::published_at
                    .eq(at)
                    .and(followed_notes::id.lt(id))),
        );
    }
    q.load(conn)
}

/// Forgets the notes of people no one here follows any more.
pub fn prune_unfollowed(conn: &mut DbConnection) -> QueryResult<usize> {
    let followed = follows::table
        .filter(follows::follower_user_id.is_not_null())
        .filter(follows::state.eq("accepted"))
        .filter(follows::target_remote_id.is_not_null())
        .select(follows::target_remote_id.assume_not_null());
    diesel::delete(followed_notes::table.filter(diesel::dsl::not(
        followed_notes::author_remote_id.eq_any(followed),
    )))
    .execute(conn)
}
