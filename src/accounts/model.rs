//! The account records as the rest of copse sees them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{sessions, users};

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// May log in.
    Active,
    /// Signed up while registration needed approval; waits for an admin.
    Pending,
    /// Deleted by its owner: never logs in again; the username stays taken.
    Deleted,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Pending => "pending",
            AccountStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<AccountStatus> {
        match s {
            "active" => Some(AccountStatus::Active),
            "pending" => Some(AccountStatus::Pending),
            "deleted" => Some(AccountStatus::Deleted),
            _ => None,
        }
    }
}

/// A local account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    #[diesel(column_name = password_hash)]
    pub(crate) password_hash: String,
    pub is_admin: bool,
    #[diesel(column_name = status)]
    status_text: String,
    pub registration_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The account's status; an unknown stored value counts as pending, which cannot log in.
    pub fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status_text).unwrap_or(AccountStatus::Pending)
    }
}

/// A login session. Its token is known only to the client; the row holds a hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}
