//! Queries on `follows`: who follows whom, across servers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::follows;

/// One follow relation, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follows)]
pub struct FollowRow {
    pub id: i64,
    pub follower_ap_id: String,
    pub target_ap_id: String,
    pub follower_user_id: Option<i64>,
    pub follower_remote_id: Option<i64>,
    pub target_community_id: Option<i64>,
    pub target_user_id: Option<i64>,
    pub target_remote_id: Option<i64>,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
    /// The id of the `Follow` activity that made (or last renewed) this relation.
    pub activity_id: String,
    /// How many times a pending outgoing follow was sent.
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A relation to create, or to renew when the same pair already exists.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = follows)]
#[diesel(treat_none_as_null = true)]
pub struct FollowRecord {
    pub follower_ap_id: String,
    pub target_ap_id: String,
    pub follower_user_id: Option<i64>,
    pub follower_remote_id: Option<i64>,
    pub target_community_id: Option<i64>,
    pub target_user_id: Option<i64>,
    pub target_remote_id: Option<i64>,
    pub state: String,
    pub activity_id: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// Creates the relation or renews the existing one for the same pair; returns it.
pub fn upsert(conn: &mut DbConnection, record: &FollowRecord) -> QueryResult<FollowRow> {
    conn.transaction(|conn| {
        match find_pair(conn, &record.follower_ap_id, &record.target_ap_id)? {
            Some(row) => {
                diesel::update(follows::table.find(row.id))
                    .set(record)
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(follows::table)
                    .values((record, follows::created_at.eq(record.updated_at)))
                    .execute(conn)?;
            }
        }
        find_pair(conn, &record.follower_ap_id, &record.target_ap_id)?
            .ok_or(diesel::result::Error::NotFound)
    })
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<FollowRow>> {
    follows::table
        .find(id)
        .select(FollowRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_pair(
    conn: &mut DbConnection,
    follower_ap_id: &str,
    target_ap_id: &str,
) -> QueryResult<Option<FollowRow>> {
    follows::table
        .filter(follows::follower_ap_id.eq(follower_ap_id))
        .filter(follows::target_ap_id.eq(target_ap_id))
        .select(FollowRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(follows::table.find(id)).execute(conn)
}

/// Marks a relation accepted or rejected; a settled follow is no longer retried.
pub fn settle(
    conn: &mut DbConnection,
    id: i64,
    state: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(follows::table.find(id))
        .set((
            follows::state.eq(state),
            follows::next_attempt_at.eq(None::<NaiveDateTime>),
            follows::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Accepted followers of the actor with this id.
pub fn count_followers(conn: &mut DbConnection, target_ap_id: &str) -> QueryResult<i64> {
    follows::table
        .filter(follows::target_ap_id.eq(target_ap_id))
        .filter(follows::state.eq("accepted"))
        .count()
        .get_result(conn)
}

/// What a local user follows, newest first, after the cursor `before_id` if given.
pub fn of_user(
    conn: &mut DbConnection,
    user_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<FollowRow>> {
    let mut query = follows::table
        .filter(follows::follower_user_id.eq(user_id))
        .select(FollowRow::as_select())
        .order(follows::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(follows::id.lt(before));
    }
    query.load(conn)
}

/// Pending outgoing follows whose next attempt is due.
pub fn due_retries(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<FollowRow>> {
    follows::table
        .filter(follows::state.eq("pending"))
        .filter(follows::follower_user_id.is_not_null())
        .filter(follows::target_remote_id.is_not_null())
        .filter(follows::next_attempt_at.le(now))
        .order(follows::next_attempt_at.asc())
        .limit(limit)
        .select(FollowRow::as_select())
        .load(conn)
}

/// Records another attempt of a pending follow and when the next one is due (None: stop).
pub fn record_attempt(
    conn: &mut DbConnection,
    id: i64,
    activity_id: &str,
    attempts: i32,
    next: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(follows::table.find(id).filter(follows::state.eq("pending")))
        .set((
            follows::activity_id.eq(activity_id),
            follows::attempts.eq(attempts),
            follows::next_attempt_at.eq(next),
            follows::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn find_by_activity_id(
    conn: &mut DbConnection,
    activity_id: &str,
) -> QueryResult<Option<FollowRow>> {
    follows::table
        .filter(follows::activity_id.eq(activity_id))
        .select(FollowRow::as_select())
        .first(conn)
        .optional()
}

/// Accepted followers of a local community, local and remote.
pub fn count_community_followers(conn: &mut DbConnection, community_id: i64) -> QueryResult<i64> {
    follows::table
        .filter(follows::target_community_id.eq(community_id))
        .filter(follows::state.eq("accepted"))
        .count()
        .get_result(conn)
}

/// Where to deliver to a local community's remote followers: one inbox per server where
/// servers have a shared inbox.
pub fn remote_follower_inboxes(
    conn: &mut DbConnection,
    community_id: i64,
) -> QueryResult<Vec<String>> {
    use super::schema::remote_actors;
    let rows: Vec<(String, Option<String>)> = follows::table
        .inner_join(
            remote_actors::table.on(follows::follower_remote_id.eq(remote_actors::id.nullable())),
        )
        .filter(follows::target_community_id.eq(community_id))
        .filter(follows::state.eq("accepted"))
        .select((remote_actors::inbox, remote_actors::shared_inbox))
        .load(conn)?;
    let mut inboxes: Vec<String> = rows
        .into_iter()
        .map(|(inbox, shared)| shared.unwrap_or(inbox))
        .collect();
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// True when a local user follows the remote actor `remote_id` (accepted).
pub fn any_local_follower_of_remote(conn: &mut DbConnection, remote_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        follows::table
            .filter(follows::target_remote_id.eq(remote_id))
            .filter(follows::follower_user_id.is_not_null())
            .filter(follows::state.eq("accepted")),
    ))
    .get_result(conn)
}

/// The local users whose follow of the remote actor `remote_id` was accepted.
pub fn local_followers_of_remote(conn: &mut DbConnection, remote_id: i64) -> QueryResult<Vec<i64>> {
    follows::table
        .filter(follows::target_remote_id.eq(remote_id))
        .filter(follows::state.eq("accepted"))
        .filter(follows::follower_user_id.is_not_null())
        .select(follows::follower_user_id.assume_not_null())
        .load(conn)
}

/// The delivery inboxes of every server following any local community: who hears of an
/// instance-wide ban.
pub fn all_community_follower_inboxes(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    use super::schema::remote_actors;
    let rows: Vec<(String, Option<String>)> = follows::table
        .inner_join(
            remote_actors::table.on(follows::follower_remote_id.eq(remote_actors::id.nullable())),
        )
        .filter(follows::target_community_id.is_not_null())
        .filter(follows::state.eq("accepted"))
        .select((remote_actors::inbox, remote_actors::shared_inbox))
        .distinct()
        .load(conn)?;
    let mut inboxes: Vec<String> = rows
        .into_iter()
        .map(|(inbox, shared)| shared.unwrap_or(inbox))
        .collect();
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// Ends the follows of the local community `community_id` by `follower` (a ban).
pub fn delete_of_community_by(
    conn: &mut DbConnection,
    community_id: i64,
    follower: crate::db::memberships::Member,
) -> QueryResult<usize> {
    use crate::db::memberships::Member;
    let q = follows::table.filter(follows::target_community_id.eq(community_id));
    match follower {
        Member::Local(id) => {
            diesel::delete(q.filter(follows::follower_user_id.eq(id))).execute(conn)
        }
        Member::Remote(id) => {
            diesel::delete(q.filter(follows::follower_remote_id.eq(id))).execute(conn)
        }
    }
}

/// Remote follows of the local user `user_id` that wait for the user's answer, newest
/// first, after the cursor `before_id` if given, with the followers' cached actors.
pub fn pending_requests_of_user(
    conn: &mut DbConnection,
    user_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(FollowRow, super::remote_actors::CachedActor)>> {
    use super::remote_actors::CachedActor;
    use super::schema::remote_actors;
    let mut query = follows::table
        .inner_join(
            remote_actors::table.on(follows::follower_remote_id.eq(remote_actors::id.nullable())),
        )
        .filter(follows::target_user_id.eq(user_id))
        .filter(follows::state.eq("pending"))
        .select((FollowRow::as_select(), CachedActor::as_select()))
        .order(follows::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(follows::id.lt(before));
    }
    query.load(conn)
}

/// One followed target: a local community, a local person or a remote actor (one is set).
pub type FollowedTarget = (Option<i64>, Option<i64>, Option<i64>);

/// What a local user follows and was accepted by.
pub fn accepted_targets_of_user(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<FollowedTarget>> {
    follows::table
        .filter(follows::follower_user_id.eq(user_id))
        .filter(follows::state.eq("accepted"))
        .select((
            follows::target_community_id,
            follows::target_user_id,
            follows::target_remote_id,
        ))
        .load(conn)
}
