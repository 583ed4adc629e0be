//! Login sessions. One session serves both as the web UI's cookie and as the API's bearer
//! token; logging out deletes it, which revokes both at once.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::model::{AccountStatus, Session, User};
use super::password::{verify_against_dummy, verify_password};
use crate::db::{Database, sessions};
use crate::error::{Error, ErrorCode, Result};
use crate::time;

/// Tokens start with this, so secret scanners and people can recognise a leaked one.
const TOKEN_PREFIX: &str = "copse_";

/// `last_used_at` is refreshed at most this often, so reads do not all become writes.
const TOUCH_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// A fresh login: the token is shown to the client once and never stored.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub token: String,
    pub expires_at: NaiveDateTime,
    pub user: User,
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn invalid_credentials() -> Error {
    Error::new(
        ErrorCode::InvalidCredentials,
        "the username or password is wrong",
    )
}

/// Checks a username (or email) and password and opens a session.
///
/// Unknown accounts and wrong passwords give the same error in the same time; a pending
/// account is told so only once its password has been shown to be right.
pub async fn login(
    db: &Database,
    login: &str,
    password: &str,
    user_agent: Option<String>,
    ttl: Duration,
) -> Result<LoggedIn> {
    let login = login.trim().to_lowercase();
    let user = db
        .run(move |conn| Ok(crate::db::users::find_by_login(conn, &login)?))
        .await?;
    let password = password.to_string();
    let (user, ok) = tokio::task::spawn_blocking(move || match user {
        Some(user) => {
            let ok = verify_password(&password, &user.password_hash);
            (Some(user), ok)
        }
        None => {
            verify_against_dummy(&password);
            (None, false)
        }
    })
    .await
    .map_err(Error::internal)?;
    let user = match (user, ok) {
        (Some(user), true) => user,
        _ => return Err(invalid_credentials()),
    };
    if user.status() != AccountStatus::Active {
        return Err(Error::new(
            ErrorCode::AccountPending,
            "this account is waiting for an admin's approval",
        ));
    }

    let token = new_token();
    let hash = token_hash(&token);
    let now = time::now();
    let ttl = chrono::TimeDelta::from_std(ttl).map_err(Error::internal)?;
    let expires_at = now + ttl;
    let user_agent = user_agent.map(|ua| ua.chars().take(512).collect::<String>());
    let user_id = user.id;
    db.transaction(move |conn| {
        crate::moderation::bans::check_may_log_in(conn, user_id)?;
        sessions::delete_expired_for_user(conn, user_id, now)?;
        sessions::insert(
            conn,
            &sessions::NewSession {
                user_id,
                token_hash: &hash,
                user_agent: user_agent.as_deref(),
                created_at: now,
                last_used_at: now,
                expires_at,
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(LoggedIn {
        token,
        expires_at,
        user,
    })
}

/// The active user behind a session token.
pub async fn authenticate(db: &Database, token: &str) -> Result<(User, Session)> {
    let unauthenticated = || {
        Error::new(
            ErrorCode::Unauthenticated,
            "the session is missing, expired or revoked; log in again",
        )
    };
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Err(unauthenticated());
    }
    let hash = token_hash(token);
    let now = time::now();
    let found = db
        .run(move |conn| Ok(sessions::find_live(conn, &hash, now)?))
        .await?;
    let (session, user) = found.ok_or_else(unauthenticated)?;
    if user.status() != AccountStatus::Active {
        return Err(unauthenticated());
    }
    if now - session.last_used_at > TOUCH_INTERVAL {
        let id = session.id;
        db.run(move |conn| Ok(sessions::touch(conn, id, now)?))
            .await?;
    }
    Ok((user, session))
}

/// Ends a session. Logging out twice is not an error.
pub async fn logout(db: &Database, token: &str) -> Result<()> {
    let hash = token_hash(token);
    db.run(move |conn| Ok(sessions::delete_by_hash(conn, &hash)?))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
