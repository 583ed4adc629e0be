//! Queries on `votes`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::votes;

/// What is voted on.
#[derive(Debug, Clone, Copy)]
pub enum Voted {
    Post(i64),
    Comment(i64),
}

/// Who votes.
#[derive(Debug, Clone)]
pub struct Voter {
    pub ap_id: String,
    pub user_id: Option<i64>,
    pub remote_id: Option<i64>,
}

/// Sets `voter`'s vote on `target` to `value` (+1 or -1), or removes it when `value` is 0.
/// Returns the previous value (0 if none).
pub fn set(
    conn: &mut DbConnection,
    voter: &Voter,
    target: Voted,
    value: i32,
    activity_id: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let existing = find(conn, &voter.ap_id, target)?;
    let previous = existing.map_or(0, |(_, v)| v);
    if let Some((id, _)) = existing {
        if value == 0 {
            diesel::delete(votes::table.find(id)).execute(conn)?;
        } else {
            diesel::update(votes::table.find(id))
                .set((votes::value.eq(value), votes::activity_id.eq(activity_id)))
                .execute(conn)?;
        }
    } else if value != 0 {
        let (post_id, comment_id) = match target {
            Voted::Post(id) => (Some(id), None),
            Voted::Comment(id) => (None, Some(id)),
        };
        diesel::insert_into(votes::table)
            .values((
                votes::voter_ap_id.eq(&voter.ap_id),
                votes::voter_user_id.eq(voter.user_id),
                votes::voter_remote_id.eq(voter.remote_id),
                votes::post_id.eq(post_id),
                votes::comment_id.eq(comment_id),
                votes::value.eq(value),
                votes::activity_id.eq(activity_id),
                votes::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(previous)
}

/// The vote's row id and value, if `voter` voted on `target`.
pub fn find(
    conn: &mut DbConnection,
    voter_ap_id: &str,
    target: Voted,
) -> QueryResult<Option<(i64, i32)>> {
    let q = votes::table
        .filter(votes::voter_ap_id.eq(voter_ap_id))
        .select((votes::id, votes::value))
        .into_boxed();
    let q = match target {
        Voted::Post(id) => q.filter(votes::post_id.eq(id)),
        Voted::Comment(id) => q.filter(votes::comment_id.eq(id)),
    };
    q.first(conn).optional()
}

/// Up and down votes on `target`, counted from the votes themselves.
pub fn tally(conn: &mut DbConnection, target: Voted) -> QueryResult<(i32, i32)> {
    let q = votes::table.select(votes::value).into_boxed();
    let values: Vec<i32> = match target {
        Voted::Post(id) => q.filter(votes::post_id.eq(id)).load(conn)?,
        Voted::Comment(id) => q.filter(votes::comment_id.eq(id)).load(conn)?,
    };
    let up = values.iter().filter(|v| **v > 0).count() as i32;
    let down = values.iter().filter(|v| **v < 0).count() as i32;
    Ok((up, down))
}
