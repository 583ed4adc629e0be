//! Queries on `comments`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::authors::{self, AuthorNames};
use super::schema::{comments, remote_actors, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub ap_id: String,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_user_id: Option<i64>,
    pub author_remote_id: Option<i64>,
    pub body_source: Option<String>,
    pub body_html: String,
    pub language: Option<String>,
    pub deleted: bool,
    pub pending: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub score: i32,
    pub depth: i32,
    pub published_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Removed by a moderator: shown to moderators only, restorable.
    pub removed: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment {
    /// Taken ahead ([`super::ids`]) for a local comment, whose `ap_id` names it; None for a
    /// comment from another server.
    pub id: Option<i64>,
    pub ap_id: String,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_user_id: Option<i64>,
    pub author_remote_id: Option<i64>,
    pub body_source: Option<String>,
    pub body_html: String,
    pub language: Option<String>,
    pub pending: bool,
    pub depth: i32,
    pub published_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewComment) -> QueryResult<CommentRow> {
    diesel::insert_into(comments::table)
        .values(new)
        .execute(conn)?;
    find_by_ap_id(conn, &new.ap_id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CommentRow>> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_ap_id(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<CommentRow>> {
    comments::table
        .filter(comments::ap_id.eq(ap_id))
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

pub fn edit(
    conn: &mut DbConnection,
    id: i64,
    body_source: Option<&str>,
    body_html: &str,
    edited_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::body_source.eq(body_source),
            comments::body_html.eq(body_html),
            comments::edited_at.eq(Some(edited_at)),
        ))
        .execute(conn)
}

pub fn mark_deleted(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::deleted.eq(true),
            comments::body_source.eq(None::<String>),
            comments::body_html.eq(""),
        ))
        .execute(conn)
}

/// A moderator removes (or restores) a comment. Its content is kept, for a restore.
pub fn set_removed(conn: &mut DbConnection, id: i64, removed: bool) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set(comments::removed.eq(removed))
        .execute(conn)
}

/// Removes every comment of an author, under the posts of one community or everywhere.
pub fn remove_by_author(
    conn: &mut DbConnection,
    author: crate::db::memberships::Member,
    community: Option<crate::db::posts::CommunityRef>,
) -> QueryResult<usize> {
    use crate::db::memberships::Member;
    use crate::db::posts::CommunityRef;
    use crate::db::schema::posts;
    let mut q = diesel::update(comments::table).into_boxed();
    q = match author {
        Member::Local(id) => q.filter(comments::author_user_id.eq(id)),
        Member::Remote(id) => q.filter(comments::author_remote_id.eq(id)),
    };
    q = match community {
        Some(CommunityRef::Local(id)) => q.filter(
            comments::post_id.eq_any(
                posts::table
                    .filter(posts::community_id.eq(id))
                    .select(posts::id),
            ),
        ),
        Some(CommunityRef::Remote(id)) => q.filter(
            comments::post_id.eq_any(
                posts::table
                    .filter(posts::remote_community_id.eq(id))
                    .select(posts::id),
            ),
        ),
        None => q,
    };
    q.set(comments::removed.eq(true)).execute(conn)
}

/// Deletes a comment for good (purge), with the replies under it and their votes (the
/// foreign keys cascade on both backends). The post's comment count is the caller's.
pub fn purge(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(comments::table.find(id)).execute(conn)
}

/// How many comments (the one given and every reply under it) a purge would delete.
pub fn subtree_size(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    let mut count = 1;
    let mut frontier = vec![id];
    while !frontier.is_empty() {
        frontier = comments::table
            .filter(comments::parent_id.eq_any(&frontier))
            .select(comments::id)
            .load(conn)?;
        count += frontier.len() as i64;
    }
    Ok(count)
}

pub fn confirm(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set(comments::pending.eq(false))
        .execute(conn)
}

pub fn set_votes(
    conn: &mut DbConnection,
    id: i64,
    upvotes: i32,
    downvotes: i32,
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::upvotes.eq(upvotes),
            comments::downvotes.eq(downvotes),
            comments::score.eq(upvotes - downvotes),
        ))
        .execute(conn)
}

/// Every visible comment of a post, oldest first (the thread is assembled by the caller).
/// A post's comments with their authors, in one query, oldest first.
pub fn of_post_with_authors(
    conn: &mut DbConnection,
    post_id: i64,
) -> QueryResult<Vec<(CommentRow, AuthorNames)>> {
    comments::table
        .left_join(users::table.on(users::id.nullable().eq(comments::author_user_id)))
        .left_join(
            remote_actors::table.on(remote_actors::id.nullable().eq(comments::author_remote_id)),
        )
        .filter(comments::post_id.eq(post_id))
        .filter(comments::pending.eq(false))
        .order((comments::published_at.asc(), comments::id.asc()))
        .select((CommentRow::as_select(), authors::selection()))
        .load(conn)
}

pub fn of_post(conn: &mut DbConnection, post_id: i64) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::post_id.eq(post_id))
        .filter(comments::pending.eq(false))
        .order((comments::published_at.asc(), comments::id.asc()))
        .select(CommentRow::as_select())
        .load(conn)
}
