//! What a person says of themselves: a display name and a short biography.
//!
//! Both are optional; a person without a display name is shown by username. A change is
//! recorded as [`Event::ProfileUpdated`], so the servers that know the person (those that
//! follow them, the communities they belong to or wrote in) see the new name too, as they do
//! when a Mastodon or Lemmy user edits their profile.

use super::model::User;
use crate::app::App;
use crate::db::{footprint, users};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;

/// Longest display name, in characters: Mastodon allows 30, which cuts "Dr. Anne-Marie
/// Lefèvre-Dubois, RN"; Lemmy and Mastodon both show up to 64 without trouble.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
/// Longest biography, in characters: room for a role, an institution and a few lines.
pub const MAX_BIO_CHARS: usize = 2000;

/// A profile as a person submits it; blank fields are cleared.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub display_name: Option<String>,
    pub bio: Option<String>,
}

/// Saves `user`'s profile and tells the servers that know them.
pub async fn update_profile(app: &App, user: &User, profile: Profile) -> Result<User> {
    let display_name = cleaned(profile.display_name, MAX_DISPLAY_NAME_CHARS, "display name")?;
    if display_name.as_deref().is_some_and(|n| n.contains('\n')) {
        return Err(Error::new(
            ErrorCode::ProfileInvalid,
            "a display name is one line",
        ));
    }
    let bio = cleaned(profile.bio, MAX_BIO_CHARS, "biography")?;
    let user_id = user.id;
    let username = user.username.clone();
    app.change(move |c, events| {
        users::set_profile(
            c,
            user_id,
            display_name.as_deref(),
            bio.as_deref(),
            crate::time::now(),
        )?;
        let inboxes = footprint::servers_knowing(c, user_id)?;
        if !inboxes.is_empty() {
            events.record(c, Event::ProfileUpdated { username, inboxes })?;
        }
        users::find(c, user_id)?.ok_or_else(|| Error::new(ErrorCode::NotFound, "no such account"))
    })
    .await
}

/// Trims `value`; blank is none. Refuses what is too long or holds control characters
/// other than line breaks and tabs.
fn cleaned(value: Option<String>, max_chars: usize, what: &str) -> Result<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = value.trim().replace("\r\n", "\n");
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max_chars {
        return Err(Error::new(
            ErrorCode::ProfileInvalid,
            format!("the {what} is over {max_chars} characters"),
        ));
    }
    if value
        .chars()
        .any(|ch| ch.is_control() && ch != '\n' && ch != '\t')
    {
        return Err(Error::new(
            ErrorCode::ProfileInvalid,
            format!("the {what} holds control characters"),
        ));
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_are_cleared_and_text_is_trimmed() {
        assert_eq!(cleaned(Some("  ".into()), 10, "x").ok(), Some(None));
        assert_eq!(cleaned(None, 10, "x").ok(), Some(None));
        assert_eq!(
            cleaned(Some(" Ana \r\n".into()), 10, "x").ok(),
            Some(Some("Ana".into()))
        );
    }

    #[test]
    fn too_long_or_control_characters_are_refused() {
        let long = "é".repeat(11);
        let err = cleaned(Some(long), 10, "x").err().map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::ProfileInvalid));
        let err = cleaned(Some("a\u{7}b".into()), 10, "x")
            .err()
            .map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::ProfileInvalid));
        assert!(cleaned(Some("a\nb\tc".into()), 10, "x").is_ok());
    }
}
