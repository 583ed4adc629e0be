//! Queries on `bans`: people banned from a community (here or elsewhere) or from this
//! instance. A ban whose `expires_at` has passed no longer counts; its row stays until it
//! is lifted or replaced.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::bans;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bans)]
pub struct BanRow {
    pub id: i64,
    /// The actor id of the community, or of the instance for an instance-wide ban.
    pub scope: String,
    pub community_id: Option<i64>,
    pub person_ap_id: String,
    pub user_id: Option<i64>,
    pub remote_actor_id: Option<i64>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub banned_by: Option<i64>,
    pub activity_id: Option<String>,
    pub created_at: NaiveDateTime,
}

impl BanRow {
    /// Whether the ban still holds at `now`.
    pub fn in_force(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = bans)]
pub struct NewBan {
    pub scope: String,
    pub community_id: Option<i64>,
    pub person_ap_id: String,
    pub user_id: Option<i64>,
    pub remote_actor_id: Option<i64>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub banned_by: Option<i64>,
    pub activity_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Records a ban, or gives an earlier one of the same person in the same scope its new
/// terms (reason, expiry, moderator, activity), keeping its id: the same ban made twice at
/// once is one ban.
pub fn put(conn: &mut DbConnection, ban: &NewBan) -> QueryResult<BanRow> {
    match find(conn, &ban.scope, &ban.person_ap_id)? {
        Some(earlier) => {
            diesel::update(bans::table.find(earlier.id))
                .set((
                    bans::reason.eq(&ban.reason),
                    bans::expires_at.eq(ban.expires_at),
                    bans::banned_by.eq(ban.banned_by),
                    bans::activity_id.eq(&ban.activity_id),
                    bans::created_at.eq(ban.created_at),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(bans::table).values(ban).execute(conn)?;
        }
    }
    bans::table
        .filter(bans::scope.eq(&ban.scope))
        .filter(bans::person_ap_id.eq(&ban.person_ap_id))
        .select(BanRow::as_select())
        .first(conn)
}

/// Lifts the ban of `person` in `scope`; returns the lifted ban, if there was one.
pub fn lift(conn: &mut DbConnection, scope: &str, person: &str) -> QueryResult<Option<BanRow>> {
    let existing = find(conn, scope, person)?;
    if let Some(ban) = &existing {
        diesel::delete(bans::table.find(ban.id)).execute(conn)?;
    }
    Ok(existing)
}

pub fn find(conn: &mut DbConnection, scope: &str, person: &str) -> QueryResult<Option<BanRow>> {
    bans::table
        .filter(bans::scope.eq(scope))
        .filter(bans::person_ap_id.eq(person))
        .select(BanRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<BanRow>> {
    bans::table
        .find(id)
        .select(BanRow::as_select())
        .first(conn)
        .optional()
}

/// The bans in force of `person` in any of `scopes` (a community and the instance, say).
pub fn in_force(
    conn: &mut DbConnection,
    scopes: &[&str],
    person: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<BanRow>> {
    bans::table
        .filter(bans::scope.eq_any(scopes))
        .filter(bans::person_ap_id.eq(person))
        .filter(bans::expires_at.is_null().or(bans::expires_at.gt(now)))
        .select(BanRow::as_select())
        .first(conn)
        .optional()
}

/// The bans of one scope, newest first, before the id `before`.
pub fn of_scope(
    conn: &mut DbConnection,
    scope: &str,
    before: i64,
    limit: i64,
) -> QueryResult<Vec<BanRow>> {
    bans::table
        .filter(bans::scope.eq(scope))
        .filter(bans::id.lt(before))
        .order(bans::id.desc())
        .limit(limit)
        .select(BanRow::as_select())
        .load(conn)
}

/// The ban in force of a local user or cached remote actor in the local community
/// `community_id` (if given) or on this whole instance (`instance_scope`).
pub fn of_member(
    conn: &mut DbConnection,
    community_id: Option<i64>,
    instance_scope: &str,
    member: crate::db::memberships::Member,
    now: NaiveDateTime,
) -> QueryResult<Option<BanRow>> {
    use crate::db::memberships::Member;
    let mut q = bans::table
        .filter(bans::expires_at.is_null().or(bans::expires_at.gt(now)))
        .select(BanRow::as_select())
        .into_boxed();
    q = match community_id {
        Some(id) => q.filter(bans::community_id.eq(id).or(bans::scope.eq(instance_scope))),
        None => q.filter(bans::scope.eq(instance_scope)),
    };
    q = match member {
        Member::Local(id) => q.filter(bans::user_id.eq(id)),
        Member::Remote(id) => q.filter(bans::remote_actor_id.eq(id)),
    };
    q.first(conn).optional()
}
