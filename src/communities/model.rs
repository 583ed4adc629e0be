//! The community record.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::communities;

/// A community hosted on this server.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub title: String,
    /// Markdown, as written by its moderators.
    pub summary: Option<String>,
    pub language: Option<String>,
    pub manually_approves_followers: bool,
    pub posting_restricted_to_mods: bool,
    pub discoverable: bool,
    pub public_key_pem: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A community with what is shown beside it.
#[derive(Debug, Clone)]
pub struct CommunityDetails {
    pub community: Community,
    pub moderators: Vec<String>,
    pub followers: i64,
}
