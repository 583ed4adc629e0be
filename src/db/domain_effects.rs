//! The queries that carry out an instance's domain policy across tables: the remote actors
//! of some domains, their follows and memberships dropped, their cached content purged,
//! deliveries to them cancelled. Called inside the transaction that changes the rule.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{comments, deliveries, follows, memberships, posts, remote_actors};

/// Every cached remote actor as (id, domain), where the domain contains `host` (callers
/// decide exactly which ones a rule covers; a LIKE alone would treat `_` as a wildcard).
pub fn actors_on_host(conn: &mut DbConnection, host: &str) -> QueryResult<Vec<(i64, String)>> {
    remote_actors::table
        .filter(remote_actors::domain.like(format!("%{host}%")))
        .select((remote_actors::id, remote_actors::domain))
        .load(conn)
}

/// Drops the follows in both directions between local actors and these remote actors.
pub fn drop_follows(conn: &mut DbConnection, actor_ids: &[i64]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in actor_ids.chunks(1_000) {
        n += diesel::delete(
            follows::table.filter(
                follows::follower_remote_id
                    .eq_any(chunk)
                    .or(follows::target_remote_id.eq_any(chunk)),
            ),
        )
        .execute(conn)?;
    }
    Ok(n)
}

/// Drops the memberships of these remote actors in local communities, and local people's
/// memberships of these remote communities.
pub fn drop_memberships(conn: &mut DbConnection, actor_ids: &[i64]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in actor_ids.chunks(1_000) {
        n += diesel::delete(
            memberships::table.filter(
                memberships::remote_actor_id
                    .eq_any(chunk)
                    .or(memberships::remote_community_id.eq_any(chunk)),
            ),
        )
        .execute(conn)?;
    }
    Ok(n)
}

/// Deletes what these remote actors wrote (posts, comments and the replies under them) and
/// the actors themselves (their votes, follows and memberships go with them); the comment
/// counts of posts that lost comments are counted again. Returns (posts, comments) deleted.
pub fn purge(conn: &mut DbConnection, actor_ids: &[i64]) -> QueryResult<(usize, usize)> {
    let (mut posts_n, mut comments_n) = (0, 0);
    for chunk in actor_ids.chunks(1_000) {
        let touched: Vec<i64> = comments::table
            .filter(comments::author_remote_id.eq_any(chunk))
            .select(comments::post_id)
            .distinct()
            .load(conn)?;
        comments_n +=
            diesel::delete(comments::table.filter(comments::author_remote_id.eq_any(chunk)))
                .execute(conn)?;
        posts_n += diesel::delete(
            posts::table.filter(
                posts::author_remote_id
                    .eq_any(chunk)
                    .or(posts::remote_community_id.eq_any(chunk)),
            ),
        )
        .execute(conn)?;
        for post_id in touched {
            let left: i64 = comments::table
                .filter(comments::post_id.eq(post_id))
                .filter(comments::deleted.eq(false))
                .filter(comments::pending.eq(false))
                .count()
                .get_result(conn)?;
            diesel::update(posts::table.find(post_id))
                .set(posts::comment_count.eq(i32::try_from(left).unwrap_or(i32::MAX)))
                .execute(conn)?;
        }
        diesel::delete(remote_actors::table.filter(remote_actors::id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok((posts_n, comments_n))
}

/// The distinct destination domains waiting in the delivery queue.
pub fn queued_domains(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    deliveries::table
        .select(deliveries::domain)
        .distinct()
        .load(conn)
}

/// Cancels every queued delivery to these domains.
pub fn cancel_deliveries(conn: &mut DbConnection, domains: &[String]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in domains.chunks(1_000) {
        n += diesel::delete(deliveries::table.filter(deliveries::domain.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(n)
}

/// Drops the follows and memberships of one local community held by these remote actors.
pub fn drop_community_followers(
    conn: &mut DbConnection,
    community_id: i64,
    actor_ids: &[i64],
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in actor_ids.chunks(1_000) {
        n += diesel::delete(
            follows::table
                .filter(follows::target_community_id.eq(community_id))
                .filter(follows::follower_remote_id.eq_any(chunk)),
        )
        .execute(conn)?;
        diesel::delete(
            memberships::table
                .filter(memberships::community_id.eq(community_id))
                .filter(memberships::remote_actor_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(n)
}

/// Every cached remote actor's id and domain.
pub fn all_actors(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    remote_actors::table
        .select((remote_actors::id, remote_actors::domain))
        .load(conn)
}

/// The distinct domains of cached remote actors.
pub fn actor_domains(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    remote_actors::table
        .select(remote_actors::domain)
        .distinct()
        .load(conn)
}
