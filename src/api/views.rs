//! What the API sends: wire shapes kept apart from the domain types.

use serde::Serialize;

use crate::accounts::User;
use crate::time::rfc3339;

/// An account as its owner or an admin sees it.
#[derive(Debug, Serialize)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub is_admin: bool,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_reason: Option<String>,
    /// The name shown instead of the username; null when none was chosen.
    pub display_name: Option<String>,
    /// The biography, in Markdown; null when empty.
    pub bio: Option<String>,
    pub created_at: String,
}

impl From<&User> for AccountView {
    fn from(u: &User) -> Self {
        AccountView {
            id: u.id,
            username: u.username.clone(),
            email: u.email.clone(),
            is_admin: u.is_admin,
            status: u.status().as_str(),
            registration_reason: u.registration_reason.clone(),
            display_name: u.display_name.clone(),
            bio: u.bio.clone(),
            created_at: rfc3339(u.created_at),
        }
    }
}
