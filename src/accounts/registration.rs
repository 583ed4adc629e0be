//! Creating accounts: self-service sign-up under the configured registration mode, accounts
//! made by an admin from the CLI, and the approval queue.

use super::model::{AccountStatus, User};
use super::password::hash_password;
use super::validate::{normalize_email, validate_password, validate_username};
use crate::config::RegistrationMode;
use crate::db::names::{self, NameKind};
use crate::db::{self, Database, DbConnection, users};
use crate::error::{Error, ErrorCode, Result};
use crate::time;

/// The longest "why I want to join" text accepted with a sign-up.
pub const MAX_REASON_CHARS: usize = 1000;

/// What a person gives to sign up.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password: String,
    /// Why they want to join; shown to admins when approval is required.
    pub reason: Option<String>,
}

/// The outcome of a sign-up.
#[derive(Debug, Clone)]
pub struct Registered {
    pub user: User,
}

/// Signs a person up. In `approval` mode the account waits for an admin; in `closed` mode
/// nobody may sign up (the first admin is made with `copse admin create-user`).
pub async fn register(
    db: &Database,
    mode: RegistrationMode,
    input: NewAccount,
) -> Result<Registered> {
    let status = match mode {
        RegistrationMode::Closed => {
            return Err(Error::new(
                ErrorCode::RegistrationsClosed,
                "this server does not accept sign-ups; ask an admin for an account",
            ));
        }
        RegistrationMode::Approval => AccountStatus::Pending,
        RegistrationMode::Open => AccountStatus::Active,
    };
    if let Some(reason) = &input.reason
        && reason.chars().count() > MAX_REASON_CHARS
    {
        return Err(Error::new(
            ErrorCode::ReasonTooLong,
            format!("reason must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let user = create(db, input, false, status).await?;
    Ok(Registered { user })
}

/// Creates an active account directly, whatever the registration mode (the CLI's path).
pub async fn create_by_admin(db: &Database, input: NewAccount, is_admin: bool) -> Result<User> {
    create(db, input, is_admin, AccountStatus::Active).await
}

async fn create(
    db: &Database,
    input: NewAccount,
    is_admin: bool,
    status: AccountStatus,
) -> Result<User> {
    validate_username(&input.username)?;
    let email = normalize_email(&input.email)?;
    validate_password(&input.password)?;
    let password = input.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(Error::internal)??;
    let keys = crate::federation::keys::generate_async().await?;
    let username = input.username;
    let reason = input.reason.filter(|r| !r.trim().is_empty());
    db.transaction(move |conn| {
        if users::username_exists(conn, &username)? || names::holder(conn, &username)?.is_some() {
            return Err(username_taken(&username));
        }
        if users::email_exists(conn, &email)? {
            return Err(email_taken());
        }
        let now = time::now();
        let id = users::insert(
            conn,
            &users::NewUser {
                username: &username,
                email: &email,
                password_hash: &hash,
                is_admin,
                status: status.as_str(),
                registration_reason: reason.as_deref(),
                created_at: now,
                updated_at: now,
                public_key_pem: Some(&keys.public_pem),
                private_key_pem: Some(&keys.private_pem),
            },
        )
        .and_then(|id| names::claim(conn, &username, NameKind::Person).map(|_| id))
        .map_err(|e| {
            // Two sign-ups for one name can both pass the check above; the constraint decides.
            if db::is_unique_violation(&e, "users_username_key", "users.username")
                || db::is_unique_violation(&e, "local_names_pkey", "local_names.name")
            {
                username_taken(&username)
            } else if db::is_unique_violation(&e, "users_email_key", "users.email") {
                email_taken()
            } else {
                e.into()
            }
        })?;
        fetch(conn, id)
    })
    .await
}

fn username_taken(name: &str) -> Error {
    Error::new(
        ErrorCode::UsernameTaken,
        format!("the username '{name}' is taken (by a person or a community)"),
    )
}

fn email_taken() -> Error {
    Error::new(
        ErrorCode::EmailTaken,
        "an account with this email already exists",
    )
}

fn fetch(conn: &mut DbConnection, id: i64) -> Result<User> {
    users::find(conn, id)?.ok_or_else(|| Error::new(ErrorCode::NotFound, "no such account"))
}

fn require_admin(actor: &User) -> Result<()> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(Error::new(ErrorCode::Forbidden, "only admins may do this"))
    }
}

/// Accounts with a status, oldest first; `after` is the last id of the previous page.
pub async fn list_by_status(
    db: &Database,
    actor: &User,
    status: AccountStatus,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<User>> {
    require_admin(actor)?;
    let limit = limit.clamp(1, 200);
    db.run(move |conn| Ok(users::list_by_status(conn, status.as_str(), after, limit)?))
        .await
}

/// Lets a pending account log in.
pub async fn approve(db: &Database, actor: &User, id: i64) -> Result<User> {
    require_admin(actor)?;
    db.transaction(move |conn| {
        let user = fetch(conn, id)?;
        if user.status() != AccountStatus::Pending {
            return Err(not_pending(&user));
        }
        users::set_status(conn, id, AccountStatus::Active.as_str(), time::now())?;
        fetch(conn, id)
    })
    .await
}

/// Refuses a pending account. The record is deleted, as Mastodon does, so the username
/// and email are free again.
pub async fn reject(db: &Database, actor: &User, id: i64) -> Result<User> {
    require_admin(actor)?;
    db.transaction(move |conn| {
        let user = fetch(conn, id)?;
        if user.status() != AccountStatus::Pending {
            return Err(not_pending(&user));
        }
        users::delete(conn, id)?;
        names::release(conn, &user.username)?;
        Ok(user)
    })
    .await
}

fn not_pending(user: &User) -> Error {
    Error::new(
        ErrorCode::AccountNotPending,
        format!(
            "the account '{}' is not waiting for approval",
            user.username
        ),
    )
}
