//! The account records as the rest of copse sees them.

pub use crate::db::sessions::Session;
pub use crate::db::users::User;

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
            AccountStatus::Active => crate::db::users::ACTIVE,
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

impl User {
    /// The account's status; an unknown stored value counts as pending, which cannot log in.
    pub fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status_text).unwrap_or(AccountStatus::Pending)
    }
}
