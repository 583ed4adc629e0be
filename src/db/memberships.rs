//! Queries on `memberships`: who belongs to which community, with what role, and the
//! applications waiting for a decision.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{memberships, remote_actors, users};

/// One membership or application, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    pub id: i64,
    pub community_id: Option<i64>,
    pub remote_community_id: Option<i64>,
    pub user_id: Option<i64>,
    pub remote_actor_id: Option<i64>,
    pub role: String,
    pub state: String,
    pub answers: Option<String>,
    pub rules_accepted_at: Option<NaiveDateTime>,
    pub via: String,
    pub invite_id: Option<i64>,
    pub activity_id: Option<String>,
    pub decided_by: Option<i64>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub joined_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A membership to record. Exactly one community and one member field is set.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = memberships)]
pub struct NewMembership {
    pub community_id: Option<i64>,
    pub remote_community_id: Option<i64>,
    pub user_id: Option<i64>,
    pub remote_actor_id: Option<i64>,
    pub role: String,
    pub state: String,
    pub answers: Option<String>,
    pub rules_accepted_at: Option<NaiveDateTime>,
    pub via: String,
    pub invite_id: Option<i64>,
    pub activity_id: Option<String>,
    pub joined_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Who a membership is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    Local(i64),
    Remote(i64),
}

/// Which community it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    Local(i64),
    Remote(i64),
}

/// The membership of `member` in `of`, whatever its state.
pub fn find(conn: &mut DbConnection, of: Of, member: Member) -> QueryResult<Option<MembershipRow>> {
    // A row sets exactly one community and one member column, so the two set ones suffice.
    let mut query = memberships::table
        .select(MembershipRow::as_select())
        .into_boxed();
    query = match of {
        Of::Local(id) => query.filter(memberships::community_id.eq(id)),
        Of::Remote(id) => query.filter(memberships::remote_community_id.eq(id)),
    };
    query = match member {
        Member::Local(id) => query.filter(memberships::user_id.eq(id)),
        Member::Remote(id) => query.filter(memberships::remote_actor_id.eq(id)),
    };
    query.first(conn).optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<MembershipRow>> {
    memberships::table
        .find(id)
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, new: &NewMembership) -> QueryResult<MembershipRow> {
    diesel::insert_into(memberships::table)
        .values(new)
        .returning(memberships::id)
        .get_result::<i64>(conn)
        .and_then(|id| find_by_id(conn, id)?.ok_or(diesel::result::Error::NotFound))
}

/// Replaces an old row (a rejected application, say) with a new request.
pub fn renew(conn: &mut DbConnection, id: i64, new: &NewMembership) -> QueryResult<MembershipRow> {
    diesel::update(memberships::table.find(id))
        .set((
            memberships::role.eq(&new.role),
            memberships::state.eq(&new.state),
            memberships::answers.eq(&new.answers),
            memberships::rules_accepted_at.eq(new.rules_accepted_at),
            memberships::via.eq(&new.via),
            memberships::invite_id.eq(new.invite_id),
            memberships::activity_id.eq(&new.activity_id),
            memberships::decided_by.eq(None::<i64>),
            memberships::decision_reason.eq(None::<String>),
            memberships::decided_at.eq(None::<NaiveDateTime>),
            memberships::joined_at.eq(new.joined_at),
            memberships::updated_at.eq(new.updated_at),
        ))
        .execute(conn)?;
    find_by_id(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

/// Records a decision on an application.
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    state: &str,
    by: Option<i64>,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let joined = (state == "accepted").then_some(now);
    diesel::update(memberships::table.find(id))
        .set((
            memberships::state.eq(state),
            memberships::decided_by.eq(by),
            memberships::decision_reason.eq(reason),
            memberships::decided_at.eq(now),
            memberships::joined_at.eq(joined),
            memberships::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_role(
    conn: &mut DbConnection,
    id: i64,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(memberships::table.find(id))
        .set((memberships::role.eq(role), memberships::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(memberships::table.find(id)).execute(conn)
}

/// A local community's memberships in `state`, oldest first, after the row id `after`.
pub fn of_community(
    conn: &mut DbConnection,
    community_id: i64,
    state: &str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<MembershipRow>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq(state))
        .filter(memberships::id.gt(after))
        .order(memberships::id.asc())
        .limit(limit)
        .select(MembershipRow::as_select())
        .load(conn)
}

/// How many accepted members a local community has.
pub fn count_members(conn: &mut DbConnection, community_id: i64) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .count()
        .get_result(conn)
}

/// Usernames of a local community's owners and moderators, longest-serving first.
pub fn moderator_names(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<String>> {
    memberships::table
        .inner_join(users::table.on(memberships::user_id.eq(users::id.nullable())))
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .filter(memberships::role.eq_any(["owner", "moderator"]))
        .order((memberships::joined_at.asc(), memberships::id.asc()))
        .select(users::username)
        .load(conn)
}

/// Ids of the local users who moderate a local community.
pub fn moderator_ids(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .filter(memberships::role.eq_any(["owner", "moderator"]))
        .filter(memberships::user_id.is_not_null())
        .select(memberships::user_id.assume_not_null())
        .load(conn)
}

/// Ids of a local community's accepted memberships.
pub fn accepted_ids(conn: &mut DbConnection, community_id: i64) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .select(memberships::id)
        .load(conn)
}

/// Ids of the memberships of a local community's owners and moderators.
pub fn moderator_membership_ids(
    conn: &mut DbConnection,
    community_id: i64,
) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .filter(memberships::role.eq_any(["owner", "moderator"]))
        .select(memberships::id)
        .load(conn)
}

/// Actor id, inbox and shared inbox of the accepted remote members of a local community,
/// limited to the memberships `ids` when given.
pub fn remote_members(
    conn: &mut DbConnection,
    community_id: i64,
    ids: Option<&[i64]>,
) -> QueryResult<Vec<(String, String, Option<String>)>> {
    let mut query = memberships::table
        .inner_join(
            remote_actors::table.on(memberships::remote_actor_id.eq(remote_actors::id.nullable())),
        )
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq("accepted"))
        .select((
            remote_actors::ap_id,
            remote_actors::inbox,
            remote_actors::shared_inbox,
        ))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(memberships::id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// A local user's memberships and applications, here and elsewhere, newest first.
pub fn of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<MembershipRow>> {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::id.desc())
        .select(MembershipRow::as_select())
        .load(conn)
}

/// Members per community, for every community that has any (the directory's counts).
pub fn member_counts(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64)>> {
    let rows: Vec<(Option<i64>, i64)> = memberships::table
        .filter(memberships::state.eq("accepted"))
        .filter(memberships::community_id.is_not_null())
        .group_by(memberships::community_id)
        .select((memberships::community_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}
