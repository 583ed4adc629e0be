//! What a person changes about their own account: their password, the sessions that are
//! logged in as them, and their language.

use super::model::{Session, User};
use super::password::{hash_password, verify_password};
use super::validate::validate_password;
use crate::db::{Database, sessions, users};
use crate::error::{Error, ErrorCode, Result};
use crate::time;

/// The person's live sessions (browsers and API tokens), most recently used first.
pub async fn sessions_of(db: &Database, user: &User) -> Result<Vec<Session>> {
    let id = user.id;
    let now = time::now();
    db.run(move |c| Ok(sessions::live_of_user(c, id, now)?))
        .await
}

/// Ends one of the person's sessions; another person's is not found.
pub async fn revoke_session(db: &Database, user: &User, session_id: i64) -> Result<()> {
    let id = user.id;
    let gone = db
        .run(move |c| Ok(sessions::delete_of_user(c, id, session_id)?))
        .await?;
    if gone == 0 {
        return Err(Error::new(ErrorCode::NotFound, "no such session"));
    }
    Ok(())
}

/// Changes the password after checking the current one, and ends every other session: a
/// password changed because it leaked must also shut out whoever used it.
pub async fn change_password(
    db: &Database,
    user: &User,
    current_session: i64,
    current: &str,
    new: &str,
) -> Result<()> {
    validate_password(new)?;
    let stored = user.password_hash.clone();
    let (current, new) = (current.to_string(), new.to_string());
    let hash = tokio::task::spawn_blocking(move || {
        if !verify_password(&current, &stored) {
            return Err(Error::new(
                ErrorCode::InvalidCredentials,
                "the current password is wrong",
            ));
        }
        hash_password(&new)
    })
    .await
    .map_err(Error::internal)??;
    let id = user.id;
    let now = time::now();
    db.transaction(move |c| {
        users::set_password_hash(c, id, &hash, now)?;
        sessions::delete_others(c, id, current_session)?;
        Ok(())
    })
    .await
}

/// Keeps the interface language the person chose, so it follows them to other browsers
/// (and to what is written to them later).
pub async fn set_language(db: &Database, user: &User, lang: crate::i18n::Lang) -> Result<()> {
    let id = user.id;
    db.run(move |c| Ok(users::set_language(c, id, lang.code())?))
        .await?;
    Ok(())
}
