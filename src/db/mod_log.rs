//! Queries on `mod_log`: the record of every moderator and admin action.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{communities, mod_log};

/// One recorded action.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mod_log)]
pub struct ModLogRow {
    pub id: i64,
    pub moderator_user_id: Option<i64>,
    pub moderator_ap_id: String,
    pub action: String,
    pub community_id: Option<i64>,
    pub community_ap_id: Option<String>,
    pub target_kind: String,
    pub target_ap_id: Option<String>,
    pub target_label: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub refused: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mod_log)]
pub struct NewModLogEntry {
    pub moderator_user_id: Option<i64>,
    pub moderator_ap_id: String,
    pub action: String,
    pub community_id: Option<i64>,
    pub community_ap_id: Option<String>,
    pub target_kind: String,
    pub target_ap_id: Option<String>,
    pub target_label: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub refused: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, entry: &NewModLogEntry) -> QueryResult<usize> {
    diesel::insert_into(mod_log::table)
        .values(entry)
        .execute(conn)
}

/// Which entries a page of the log shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Only the entries of this local community.
    pub community_id: Option<i64>,
    /// Only this community (by actor id, local or remote).
    pub community_ap_id: Option<String>,
    /// Include refused attempts (admins only).
    pub include_refused: bool,
    /// Entries older than this id.
    pub before: Option<i64>,
    /// When set, entries of private local communities are left out, except those of the
    /// communities listed (the reader's).
    pub private_visible: Option<Vec<i64>>,
    /// Only these actions.
    pub actions: Option<Vec<&'static str>>,
}

/// The log, newest first.
pub fn page(
    conn: &mut DbConnection,
    filter: &LogFilter,
    limit: i64,
) -> QueryResult<Vec<ModLogRow>> {
    let mut query = mod_log::table.into_boxed();
    if let Some(id) = filter.community_id {
        query = query.filter(mod_log::community_id.eq(id));
    }
    if let Some(ap_id) = &filter.community_ap_id {
        query = query.filter(mod_log::community_ap_id.eq(ap_id.clone()));
    }
    if !filter.include_refused {
        query = query.filter(mod_log::refused.eq(false));
    }
    if let Some(actions) = &filter.actions {
        query = query.filter(mod_log::action.eq_any(actions.clone()));
    }
    if let Some(before) = filter.before {
        query = query.filter(mod_log::id.lt(before));
    }
    if let Some(visible) = &filter.private_visible {
        let private = communities::table
            .filter(communities::visibility.eq("private"))
            .select(communities::id.nullable());
        query = query.filter(
            mod_log::community_id
                .is_null()
                .or(mod_log::community_id.ne_all(private))
                .or(mod_log::community_id.eq_any(visible.clone())),
        );
    }
    query
        .order(mod_log::id.desc())
        .limit(limit)
        .select(ModLogRow::as_select())
        .load(conn)
}
