//! Queries on `posts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::authors::{self, AuthorNames};
use super::schema::{follows, post_recipients, posts, remote_actors, users};

/// A post, local or received.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct PostRow {
    pub id: i64,
    pub ap_id: String,
    pub community_id: Option<i64>,
    pub remote_community_id: Option<i64>,
    pub author_user_id: Option<i64>,
    pub author_remote_id: Option<i64>,
    pub title: String,
    pub body_source: Option<String>,
    pub body_html: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub content_warning: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub deleted: bool,
    pub pending: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub score: i32,
    pub hot_rank: f64,
    pub comment_count: i32,
    pub published_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// The space of a local community the post is in.
    pub space_id: Option<i64>,
    /// Not for everyone: a members-only space or a private community, here or elsewhere.
    pub restricted: bool,
    /// Removed by a moderator: shown to moderators only, restorable.
    pub removed: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost {
    /// Taken ahead ([`super::ids`]) for a local post, whose `ap_id` names it; None for a
    /// post from another server.
    pub id: Option<i64>,
    pub ap_id: String,
    pub community_id: Option<i64>,
    pub remote_community_id: Option<i64>,
    pub author_user_id: Option<i64>,
    pub author_remote_id: Option<i64>,
    pub title: String,
    pub body_source: Option<String>,
    pub body_html: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub content_warning: Option<String>,
    pub pending: bool,
    pub hot_rank: f64,
    pub published_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub space_id: Option<i64>,
    pub restricted: bool,
}

/// The fields an edit may change.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = posts)]
#[diesel(treat_none_as_null = true)]
pub struct PostEdit {
    pub title: String,
    pub body_source: Option<String>,
    pub body_html: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub content_warning: Option<String>,
    pub edited_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, new: &NewPost) -> QueryResult<PostRow> {
    diesel::insert_into(posts::table)
        .values(new)
        .execute(conn)?;
    find_by_ap_id(conn, &new.ap_id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<PostRow>> {
    posts::table
        .find(id)
        .select(PostRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_ap_id(conn: &mut DbConnection, ap_id: &str) -> QueryResult<Option<PostRow>> {
    posts::table
        .filter(posts::ap_id.eq(ap_id))
        .select(PostRow::as_select())
        .first(conn)
        .optional()
}

pub fn edit(conn: &mut DbConnection, id: i64, edit: &PostEdit) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(edit)
        .execute(conn)
}

/// Marks a post deleted and clears its content: a deleted post is served as a Tombstone.
pub fn mark_deleted(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set((
            posts::deleted.eq(true),
            posts::body_source.eq(None::<String>),
            posts::body_html.eq(None::<String>),
            posts::url.eq(None::<String>),
        ))
        .execute(conn)
}

/// A moderator removes (or restores) a post. Its content is kept, for a restore.
pub fn set_removed(conn: &mut DbConnection, id: i64, removed: bool) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(posts::removed.eq(removed))
        .execute(conn)
}

pub fn set_locked(conn: &mut DbConnection, id: i64, locked: bool) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(posts::locked.eq(locked))
        .execute(conn)
}

/// Removes every post of an author, in one community (local or remote) or everywhere;
/// returns how many.
pub fn remove_by_author(
    conn: &mut DbConnection,
    author: crate::db::memberships::Member,
    community: Option<CommunityRef>,
) -> QueryResult<usize> {
    use crate::db::memberships::Member;
    let mut q = diesel::update(posts::table).into_boxed();
    q = match author {
        Member::Local(id) => q.filter(posts::author_user_id.eq(id)),
        Member::Remote(id) => q.filter(posts::author_remote_id.eq(id)),
    };
    q = match community {
        Some(CommunityRef::Local(id)) => q.filter(posts::community_id.eq(id)),
        Some(CommunityRef::Remote(id)) => q.filter(posts::remote_community_id.eq(id)),
        None => q,
    };
    q.set(posts::removed.eq(true)).execute(conn)
}

/// Deletes a post for good (purge); its comments, votes and recipients go with it (the
/// foreign keys cascade on both backends).
pub fn purge(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(posts::table.find(id)).execute(conn)
}

pub fn confirm(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(posts::pending.eq(false))
        .execute(conn)
}

pub fn set_pinned(conn: &mut DbConnection, id: i64, pinned: bool) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(posts::pinned.eq(pinned))
        .execute(conn)
}

pub fn set_votes(
    conn: &mut DbConnection,
    id: i64,
    upvotes: i32,
    downvotes: i32,
    hot_rank: f64,
) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set((
            posts::upvotes.eq(upvotes),
            posts::downvotes.eq(downvotes),
            posts::score.eq(upvotes - downvotes),
            posts::hot_rank.eq(hot_rank),
        ))
        .execute(conn)
}

pub fn add_comment_count(conn: &mut DbConnection, id: i64, delta: i32) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(posts::comment_count.eq(posts::comment_count + delta))
        .execute(conn)
}

/// Posts shown in listings (not deleted, removed or awaiting approval), joined with their
/// authors here or elsewhere: the base of every listing, which adds who may read what.
#[diesel::dsl::auto_type(no_type_alias)]
fn shown_with_authors() -> _ {
    let local_author: diesel::dsl::Eq<diesel::dsl::Nullable<users::id>, posts::author_user_id> =
        users::id.nullable().eq(posts::author_user_id);
    let remote_author: diesel::dsl::Eq<
        diesel::dsl::Nullable<remote_actors::id>,
        posts::author_remote_id,
    > = remote_actors::id.nullable().eq(posts::author_remote_id);
    posts::table
        .left_join(users::table.on(local_author))
        .left_join(remote_actors::table.on(remote_author))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .filter(posts::pending.eq(false))
}

/// Where a community's posts are: a local or a remote community.
#[derive(Debug, Clone, Copy)]
pub enum CommunityRef {
    Local(i64),
    Remote(i64),
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    New,
    Top,
    Hot,
}

/// Which restricted posts a reader may see besides the public ones: those in the local
/// spaces listed, and those from other servers addressed to the local user.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub spaces: Vec<i64>,
    pub user_id: Option<i64>,
    /// Domains (as `remote_actors.domain`) of limited servers: their authors' posts are left
    /// out, except those of authors the reader follows.
    pub hidden_domains: Vec<String>,
}

/// A page of a community's posts visible to `reader`. The cursor is the last post of the
/// previous page (its sort key and id), so pages stay stable while new posts arrive.
pub fn list(
    conn: &mut DbConnection,
    community: CommunityRef,
    sort: Sort,
    after: Option<&PostRow>,
    limit: i64,
    reader: &Reader,
) -> QueryResult<Vec<(PostRow, AuthorNames)>> {
    let addressed = post_recipients::table
        .filter(post_recipients::user_id.eq(reader.user_id.unwrap_or(-1)))
        .select(post_recipients::post_id);
    let mut q = shown_with_authors()
        .filter(
            posts::restricted
                .eq(false)
                .or(posts::space_id.eq_any(reader.spaces.clone()))
                .or(posts::id.eq_any(addressed)),
        )
        .select((PostRow::as_select(), authors::selection()))
        .limit(limit)
        .into_boxed();
    if !reader.hidden_domains.is_empty() {
        // The author is joined: their domain is read from the same row.
        let followed = follows::table
            .filter(follows::follower_user_id.eq(reader.user_id.unwrap_or(-1)))
            .filter(follows::state.eq("accepted"))
            .select(follows::target_remote_id);
        q = q.filter(
            posts::author_remote_id
                .is_null()
                .or(diesel::dsl::not(
                    remote_actors::domain
                        .nullable()
                        .eq_any(reader.hidden_domains.clone()),
                ))
                .or(posts::author_remote_id.eq_any(followed)),
        );
    }
    q = match community {
        CommunityRef::Local(id) => q.filter(posts::community_id.eq(id)),
        CommunityRef::Remote(id) => q.filter(posts::remote_community_id.eq(id)),
    };
    match sort {
        Sort::New => {
            if let Some(a) = after {
                q = q.filter(
                    posts::published_at
                        .lt(a.published_at)
                        .or(posts::published_at
                            .eq(a.published_at)
                            .and(posts::id.lt(a.id))),
                );
            }
            q.order((posts::published_at.desc(), posts::id.desc()))
                .load(conn)
        }
        Sort::Top => {
            if let Some(a) = after {
                q = q.filter(
                    posts::score
                        .lt(a.score)
                        .or(posts::score.eq(a.score).and(posts::id.lt(a.id))),
                );
            }
            q.order((posts::score.desc(), posts::id.desc())).load(conn)
        }
        Sort::Hot => {
            if let Some(a) = after {
                q = q.filter(
                    posts::hot_rank
                        .lt(a.hot_rank)
                        .or(posts::hot_rank.eq(a.hot_rank).and(posts::id.lt(a.id))),
                );
            }
            q.order((posts::hot_rank.desc(), posts::id.desc()))
                .load(conn)
        }
    }
}

/// Posts whose hot rank still moves (the last week's), for the periodic refresh.
pub fn recent(conn: &mut DbConnection, since: NaiveDateTime) -> QueryResult<Vec<PostRow>> {
    posts::table
        .filter(posts::published_at.ge(since))
        .select(PostRow::as_select())
        .load(conn)
}

pub fn set_hot_rank(conn: &mut DbConnection, id: i64, hot_rank: f64) -> QueryResult<usize> {
    diesel::update(posts::table.find(id))
        .set(posts::hot_rank.eq(hot_rank))
        .execute(conn)
}

/// A person's latest public posts (and restricted ones too when `all`: the author asks).
pub fn by_author(
    conn: &mut DbConnection,
    user_id: i64,
    limit: i64,
    all: bool,
) -> QueryResult<Vec<PostRow>> {
    let mut q = posts::table.into_boxed();
    if !all {
        q = q.filter(posts::restricted.eq(false));
    }
    q.filter(posts::author_user_id.eq(user_id))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .order(posts::published_at.desc())
        .limit(limit)
        .select(PostRow::as_select())
        .load(conn)
}

/// A page of a local community's posts (newest first) for its outbox, and the total.
pub fn outbox_page(
    conn: &mut DbConnection,
    community_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<PostRow>, i64)> {
    let visible = posts::table
        .filter(posts::community_id.eq(community_id))
        .filter(posts::restricted.eq(false))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .filter(posts::pending.eq(false));
    let total = visible.count().get_result(conn)?;
    let rows = visible
        .order((posts::published_at.desc(), posts::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(PostRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A local community's pinned posts.
pub fn pinned(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<PostRow>> {
    posts::table
        .filter(posts::community_id.eq(community_id))
        .filter(posts::restricted.eq(false))
        .filter(posts::pinned.eq(true))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .order(posts::published_at.desc())
        .select(PostRow::as_select())
        .load(conn)
}

/// A local person's posts (newest first) for their outbox, and the total.
pub fn author_page(
    conn: &mut DbConnection,
    user_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<PostRow>, i64)> {
    let visible = posts::table
        .filter(posts::author_user_id.eq(user_id))
        .filter(posts::restricted.eq(false))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .filter(posts::pending.eq(false));
    let total = visible.count().get_result(conn)?;
    let rows = visible
        .order((posts::published_at.desc(), posts::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(PostRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Marks every post of a local community restricted or not, by its space and the
/// community's visibility (after either changed).
pub fn restrict_community(
    conn: &mut DbConnection,
    community_id: i64,
    private: bool,
    public_spaces: &[i64],
) -> QueryResult<usize> {
    if private {
        return diesel::update(posts::table.filter(posts::community_id.eq(community_id)))
            .set(posts::restricted.eq(true))
            .execute(conn);
    }
    diesel::update(
        posts::table
            .filter(posts::community_id.eq(community_id))
            .filter(
                posts::space_id
                    .is_null()
                    .or(posts::space_id.eq_any(public_spaces.to_vec())),
            ),
    )
    .set(posts::restricted.eq(false))
    .execute(conn)?;
    diesel::update(
        posts::table
            .filter(posts::community_id.eq(community_id))
            .filter(posts::space_id.is_not_null())
            .filter(posts::space_id.ne_all(public_spaces.to_vec())),
    )
    .set(posts::restricted.eq(true))
    .execute(conn)
}

/// Addresses a restricted post from another server to these local users.
pub fn add_recipients(conn: &mut DbConnection, post_id: i64, users: &[i64]) -> QueryResult<usize> {
    let mut n = 0;
    for user in users {
        let exists: bool = diesel::select(diesel::dsl::exists(
            post_recipients::table
                .filter(post_recipients::post_id.eq(post_id))
                .filter(post_recipients::user_id.eq(user)),
        ))
        .get_result(conn)?;
        if !exists {
            n += diesel::insert_into(post_recipients::table)
                .values((
                    post_recipients::post_id.eq(post_id),
                    post_recipients::user_id.eq(user),
                ))
                .execute(conn)?;
        }
    }
    Ok(n)
}

/// Whether a restricted post from another server was addressed to this local user.
pub fn is_recipient(conn: &mut DbConnection, post_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        post_recipients::table
            .filter(post_recipients::post_id.eq(post_id))
            .filter(post_recipients::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// What a person's home feed draws from.
#[derive(Debug, Clone, Default)]
pub struct FeedSources {
    pub user_id: i64,
    /// Local communities they belong to or follow.
    pub communities: Vec<i64>,
    /// Communities elsewhere they follow or belong to (`remote_actors` ids).
    pub remote_communities: Vec<i64>,
    /// People here they follow.
    pub people: Vec<i64>,
    /// People elsewhere they follow.
    pub remote_people: Vec<i64>,
    /// Restricted spaces they may read.
    pub spaces: Vec<i64>,
}

/// A page of a person's home feed, newest first: posts of what they follow that they may
/// read, published before `before` (a time, and the id under which posts of that very
/// time start). Posts and authors in one query.
pub fn feed(
    conn: &mut DbConnection,
    sources: &FeedSources,
    before: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<(PostRow, AuthorNames)>> {
    let addressed = post_recipients::table
        .filter(post_recipients::user_id.eq(sources.user_id))
        .select(post_recipients::post_id);
    let mut q = shown_with_authors()
        .filter(
            posts::community_id
                .eq_any(sources.communities.clone())
                .or(posts::remote_community_id.eq_any(sources.remote_communities.clone()))
                .or(posts::author_user_id.eq_any(sources.people.clone()))
                .or(posts::author_remote_id.eq_any(sources.remote_people.clone())),
        )
        .filter(
            posts::restricted
                .eq(false)
                .or(posts::space_id.eq_any(sources.spaces.clone()))
                .or(posts::id.eq_any(addressed)),
        )
        .select((PostRow::as_select(), authors::selection()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            posts::published_at
                .lt(at)
                .or(posts::published_at.eq(at).and(posts::id.lt(id))),
        );
    }
    q.order((posts::published_at.desc(), posts::id.desc()))
        .load(conn)
}

/// The newest posts of one space that anyone may read (for its public feed), with their
/// authors.
pub fn public_of_space(
    conn: &mut DbConnection,
    space_id: i64,
    limit: i64,
) -> QueryResult<Vec<(PostRow, AuthorNames)>> {
    shown_with_authors()
        .filter(posts::space_id.eq(space_id))
        .filter(posts::restricted.eq(false))
        .order((posts::published_at.desc(), posts::id.desc()))
        .limit(limit)
        .select((PostRow::as_select(), authors::selection()))
        .load(conn)
}
