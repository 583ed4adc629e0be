//! Queries over everything one person left across tables: what deleting an account (local)
//! or a remote actor removes, who must hear of it, and what an export contains.
//!
//! Kept together because they answer one question, "what belongs to this person", and
//! change together when a table gains a column that does.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    comments, follows, memberships, notifications, posts, remote_actors, users, votes,
};
use super::votes::Voted;

/// A person, local or cached from another server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    Local(i64),
    Remote(i64),
}

/// Ids of the person's posts not yet deleted.
pub fn live_posts(conn: &mut DbConnection, person: Person, limit: i64) -> QueryResult<Vec<i64>> {
    let q = posts::table
        .filter(posts::deleted.eq(false))
        .select(posts::id)
        .order(posts::id.asc())
        .limit(limit)
        .into_boxed();
    match person {
        Person::Local(id) => q.filter(posts::author_user_id.eq(id)).load(conn),
        Person::Remote(id) => q.filter(posts::author_remote_id.eq(id)).load(conn),
    }
}

/// How many posts and comments the person has showing in the local community
/// `community_id` (what a ban that removes their content would take away).
pub fn shown_in_community(
    conn: &mut DbConnection,
    person: Person,
    community_id: i64,
) -> QueryResult<(i64, i64)> {
    let p = posts::table
        .filter(posts::community_id.eq(community_id))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .count()
        .into_boxed();
    let in_community = posts::table
        .filter(posts::community_id.eq(community_id))
        .select(posts::id);
    let c = comments::table
        .filter(comments::post_id.eq_any(in_community))
        .filter(comments::deleted.eq(false))
        .filter(comments::removed.eq(false))
        .count()
        .into_boxed();
    let (p, c) = match person {
        Person::Local(id) => (
            p.filter(posts::author_user_id.eq(id)),
            c.filter(comments::author_user_id.eq(id)),
        ),
        Person::Remote(id) => (
            p.filter(posts::author_remote_id.eq(id)),
            c.filter(comments::author_remote_id.eq(id)),
        ),
    };
    Ok((p.get_result(conn)?, c.get_result(conn)?))
}

/// Ids of the person's comments not yet deleted.
pub fn live_comments(conn: &mut DbConnection, person: Person, limit: i64) -> QueryResult<Vec<i64>> {
    let q = comments::table
        .filter(comments::deleted.eq(false))
        .select(comments::id)
        .order(comments::id.asc())
        .limit(limit)
        .into_boxed();
    match person {
        Person::Local(id) => q.filter(comments::author_user_id.eq(id)).load(conn),
        Person::Remote(id) => q.filter(comments::author_remote_id.eq(id)).load(conn),
    }
}

/// Removes the person's votes; returns what they were on, to be counted again.
pub fn withdraw_votes(conn: &mut DbConnection, person: Person) -> QueryResult<Vec<Voted>> {
    let rows: Vec<(Option<i64>, Option<i64>)> = match person {
        Person::Local(id) => votes::table
            .filter(votes::voter_user_id.eq(id))
            .select((votes::post_id, votes::comment_id))
            .load(conn)?,
        Person::Remote(id) => votes::table
            .filter(votes::voter_remote_id.eq(id))
            .select((votes::post_id, votes::comment_id))
            .load(conn)?,
    };
    match person {
        Person::Local(id) => {
            diesel::delete(votes::table.filter(votes::voter_user_id.eq(id))).execute(conn)?
        }
        Person::Remote(id) => {
            diesel::delete(votes::table.filter(votes::voter_remote_id.eq(id))).execute(conn)?
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| match row {
            (Some(post), _) => Some(Voted::Post(post)),
            (None, Some(comment)) => Some(Voted::Comment(comment)),
            (None, None) => None,
        })
        .collect())
}

/// Removes every follow by or of the person.
pub fn end_follows(conn: &mut DbConnection, person: Person) -> QueryResult<usize> {
    match person {
        Person::Local(id) => diesel::delete(
            follows::table.filter(
                follows::follower_user_id
                    .eq(id)
                    .or(follows::target_user_id.eq(id)),
            ),
        )
        .execute(conn),
        Person::Remote(id) => diesel::delete(
            follows::table.filter(
                follows::follower_remote_id
                    .eq(id)
                    .or(follows::target_remote_id.eq(id)),
            ),
        )
        .execute(conn),
    }
}

/// Removes every membership and application of the person (credentials go with them).
pub fn end_memberships(conn: &mut DbConnection, person: Person) -> QueryResult<usize> {
    match person {
        Person::Local(id) => {
            diesel::delete(memberships::table.filter(memberships::user_id.eq(id))).execute(conn)
        }
        Person::Remote(id) => {
            diesel::delete(memberships::table.filter(memberships::remote_actor_id.eq(id)))
                .execute(conn)
        }
    }
}

/// Marks a local account deleted: no password, a placeholder email (unique, so the real one
/// may sign up again), no reason, no sessions. The row stays, keeping the username taken
/// and the key that signs the account's last activity.
pub fn close_account(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    super::sessions::delete_all_for_user(conn, user_id)?;
    diesel::delete(notifications::table.filter(notifications::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::status.eq("deleted"),
            users::deleted_at.eq(Some(now)),
            users::email.eq(format!("deleted-{user_id}@deleted.invalid")),
            // Not a PHC string: no password ever verifies against it.
            users::password_hash.eq("!deleted"),
            users::registration_reason.eq(None::<String>),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Every inbox on another server that knows a local person: their followers' servers, the
/// remote actors they follow or belong to, the remote communities they posted in, and the
/// follower servers of the local communities they posted or commented in. Shared inboxes
/// where servers have them; deduplicated.
pub fn servers_knowing(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<String>> {
    type Inboxes = Vec<(String, Option<String>)>;
    let followers: Inboxes = follows::table
        .inner_join(
            remote_actors::table.on(follows::follower_remote_id.eq(remote_actors::id.nullable())),
        )
        .filter(follows::target_user_id.eq(user_id))
        .select((remote_actors::inbox, remote_actors::shared_inbox))
        .load(conn)?;
    let followed: Inboxes = follows::table
        .inner_join(
            remote_actors::table.on(follows::target_remote_id.eq(remote_actors::id.nullable())),
        )
        .filter(follows::follower_user_id.eq(user_id))
        .select((remote_actors::inbox, remote_actors::shared_inbox))
        .load(conn)?;
    let joined: Inboxes = memberships::table
        .inner_join(
            remote_actors::table
                .on(memberships::remote_community_id.eq(remote_actors::id.nullable())),
        )
        .filter(memberships::user_id.eq(user_id))
        .select((remote_actors::inbox, remote_actors::shared_inbox))
        .load(conn)?;
    let commented_posts: Vec<i64> = comments::table
        .filter(comments::author_user_id.eq(user_id))
        .select(comments::post_id)
        .distinct()
        .load(conn)?;
    let venues: Vec<(Option<i64>, Option<i64>)> = posts::table
        .filter(
            posts::author_user_id
                .eq(user_id)
                .or(posts::id.eq_any(commented_posts)),
        )
        .select((posts::community_id, posts::remote_community_id))
        .distinct()
        .load(conn)?;
    let remote_venues: Vec<i64> = venues.iter().filter_map(|(_, remote)| *remote).collect();
    let posted_remote: Inboxes = remote_actors::table
        .filter(remote_actors::id.eq_any(remote_venues))
        .select((remote_actors::inbox, remote_actors::shared_inbox))
        .load(conn)?;
    let mut inboxes: Vec<String> = followers
        .into_iter()
        .chain(followed)
        .chain(joined)
        .chain(posted_remote)
        .map(|(inbox, shared)| shared.unwrap_or(inbox))
        .collect();
    for community in venues.iter().filter_map(|(local, _)| *local) {
        inboxes.extend(super::follows::remote_follower_inboxes(conn, community)?);
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// Every post the person wrote, deleted ones included, oldest first.
pub fn posts_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<super::posts::PostRow>> {
    posts::table
        .filter(posts::author_user_id.eq(user_id))
        .order(posts::id.asc())
        .select(super::posts::PostRow::as_select())
        .load(conn)
}

/// Every comment the person wrote with the id of its post, oldest first.
pub fn comments_of(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<(super::comments::CommentRow, String)>> {
    comments::table
        .inner_join(posts::table)
        .filter(comments::author_user_id.eq(user_id))
        .order(comments::id.asc())
        .select((super::comments::CommentRow::as_select(), posts::ap_id))
        .load(conn)
}

/// The person's votes: the id of what was voted on, the value and when.
pub fn votes_of(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<(String, i32, NaiveDateTime)>> {
    let on_posts: Vec<(String, i32, NaiveDateTime)> = votes::table
        .inner_join(posts::table.on(votes::post_id.eq(posts::id.nullable())))
        .filter(votes::voter_user_id.eq(user_id))
        .select((posts::ap_id, votes::value, votes::created_at))
        .load(conn)?;
    let on_comments: Vec<(String, i32, NaiveDateTime)> = votes::table
        .inner_join(comments::table.on(votes::comment_id.eq(comments::id.nullable())))
        .filter(votes::voter_user_id.eq(user_id))
        .select((comments::ap_id, votes::value, votes::created_at))
        .load(conn)?;
    Ok(on_posts.into_iter().chain(on_comments).collect())
}

/// Follows by and of the person: (follower, followed, state, since).
pub fn follows_of(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<(String, String, String, NaiveDateTime)>> {
    follows::table
        .filter(
            follows::follower_user_id
                .eq(user_id)
                .or(follows::target_user_id.eq(user_id)),
        )
        .order(follows::id.asc())
        .select((
            follows::follower_ap_id,
            follows::target_ap_id,
            follows::state,
            follows::created_at,
        ))
        .load(conn)
}

/// The ActivityPub id of a remote actor, for naming remote communities in an export.
pub fn remote_actor_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    remote_actors::table
        .find(id)
        .select(remote_actors::ap_id)
        .first(conn)
        .optional()
}

/// Every notification of the person, oldest first.
pub fn notifications_of(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<super::notifications::NotificationRow>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.asc())
        .select(super::notifications::NotificationRow::as_select())
        .load(conn)
}
