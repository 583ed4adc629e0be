//! The rules for usernames, emails and passwords (written out in `docs/accounts.md`).

use crate::error::{Error, ErrorCode, Result};

pub const MIN_USERNAME_CHARS: usize = 3;
pub const MAX_USERNAME_CHARS: usize = 30;
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Long enough for any passphrase; short enough that hashing it cannot be abused.
pub const MAX_PASSWORD_CHARS: usize = 256;
const MAX_EMAIL_CHARS: usize = 254;

/// Names that would impersonate the server or its staff, or collide with its routes.
pub const RESERVED_USERNAMES: &[&str] = &[
    "abuse",
    "admin",
    "administrator",
    "api",
    "copse",
    "hostmaster",
    "inbox",
    "instance",
    "mailer_daemon",
    "moderator",
    "noreply",
    "no_reply",
    "nodeinfo",
    "outbox",
    "postmaster",
    "reports",
    "root",
    "security",
    "staff",
    "support",
    "system",
    "webmaster",
    "well_known",
    "www",
];

/// Usernames are 3–30 characters of `a-z`, `0-9` and `_`, start with a letter, and are not
/// reserved. Upper case is refused rather than folded, so the name shown is the name typed.
pub fn validate_username(name: &str) -> Result<()> {
    validate_actor_name(
        name,
        "username",
        ErrorCode::UsernameInvalid,
        ErrorCode::UsernameReserved,
    )
}

/// The rule shared by usernames and community names: both are the `name` of
/// `acct:name@domain`, in one namespace, so they follow one rule.
pub fn validate_actor_name(
    name: &str,
    what: &str,
    invalid_code: ErrorCode,
    reserved_code: ErrorCode,
) -> Result<()> {
    let invalid = |why: &str| Error::new(invalid_code, format!("{what} {why}"));
    let len = name.chars().count();
    if !(MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&len) {
        return Err(invalid(&format!(
            "must be {MIN_USERNAME_CHARS} to {MAX_USERNAME_CHARS} characters long"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(invalid(
            "may contain only lowercase letters a-z, digits 0-9 and underscores",
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(invalid("must start with a letter"));
    }
    if RESERVED_USERNAMES.contains(&name) {
        return Err(Error::new(
            reserved_code,
            format!("the {what} '{name}' is reserved"),
        ));
    }
    Ok(())
}

/// Checks an email address loosely (delivery is the real test) and lowercases it, so one
/// mailbox cannot hold two accounts by case alone.
pub fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let invalid = || {
        Error::new(
            ErrorCode::EmailInvalid,
            "email must be an address such as name@example.org",
        )
    };
    if email.len() > MAX_EMAIL_CHARS || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains('@')
    {
        return Err(invalid());
    }
    Ok(email)
}

/// Passwords are 10–256 characters; anything else (spaces, any script) is allowed.
pub fn validate_password(password: &str) -> Result<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(Error::new(
            ErrorCode::PasswordTooShort,
            format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(Error::new(
            ErrorCode::PasswordTooLong,
            format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<()>) -> Option<&'static str> {
        r.err().map(|e| e.code().as_str())
    }

    #[test]
    fn usernames_follow_the_documented_rules() {
        assert_eq!(code(validate_username("alice")), None);
        assert_eq!(code(validate_username("dr_smith_2")), None);
        assert_eq!(code(validate_username("ab")), Some("username_invalid"));
        assert_eq!(
            code(validate_username(&"a".repeat(31))),
            Some("username_invalid")
        );
        assert_eq!(code(validate_username("Alice")), Some("username_invalid"));
        assert_eq!(code(validate_username("2fast")), Some("username_invalid"));
        assert_eq!(code(validate_username("_alice")), Some("username_invalid"));
        assert_eq!(code(validate_username("al-ice")), Some("username_invalid"));
        assert_eq!(code(validate_username("alïce")), Some("username_invalid"));
        assert_eq!(code(validate_username("admin")), Some("username_reserved"));
        assert_eq!(
            code(validate_username("instance")),
            Some("username_reserved")
        );
    }

    #[test]
    fn emails_are_lowercased_and_loosely_checked() {
        assert_eq!(
            normalize_email(" Ana@Example.ORG ").ok().as_deref(),
            Some("ana@example.org")
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@org",
            "a na@example.org",
            "ana@example.",
        ] {
            assert_eq!(
                normalize_email(bad).err().map(|e| e.code().as_str()),
                Some("email_invalid"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn passwords_have_bounds() {
        assert_eq!(code(validate_password("short")), Some("password_too_short"));
        assert_eq!(code(validate_password("a long enough passphrase")), None);
        assert_eq!(
            code(validate_password(&"x".repeat(257))),
            Some("password_too_long")
        );
    }
}
