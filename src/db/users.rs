//! Queries on `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::users;

/// A local account (the rules about it live in `accounts`).
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
    pub(crate) status_text: String,
    pub registration_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The name shown instead of the username, if the person chose one.
    pub display_name: Option<String>,
    /// What the person says of themselves, in Markdown.
    pub bio: Option<String>,
    /// The interface language they chose (`en`, `fr`); none follows their browser.
    pub language: Option<String>,
}

/// The stored status of an account that may log in.
pub const ACTIVE: &str = "active";

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub is_admin: bool,
    pub status: &'a str,
    pub registration_reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub public_key_pem: Option<&'a str>,
    pub private_key_pem: Option<&'a str>,
}

/// The key pair of a local person, if one was made.
pub fn key_pair(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(String, String)>> {
    let row: (Option<String>, Option<String>) = users::table
        .find(id)
        .select((users::public_key_pem, users::private_key_pem))
        .first(conn)?;
    Ok(match row {
        (Some(public), Some(private)) => Some((public, private)),
        _ => None,
    })
}

pub fn set_key_pair(
    conn: &mut DbConnection,
    id: i64,
    public: &str,
    private: &str,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::public_key_pem.eq(public),
            users::private_key_pem.eq(private),
        ))
        .execute(conn)
}

/// Counts local people who may log in, for NodeInfo.
pub fn count_active(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::status.eq(ACTIVE))
        .count()
        .get_result(conn)
}

/// Ids of the active admins: who is told of reports to the instance.
pub fn admin_ids(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    users::table
        .filter(users::is_admin.eq(true))
        .filter(users::status.eq(ACTIVE))
        .select(users::id)
        .load(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<i64> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Finds a user by username or email, whichever the login form was given.
pub fn find_by_login(conn: &mut DbConnection, login: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(login).or(users::email.eq(login)))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn username_exists(conn: &mut DbConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)
}

pub fn email_exists(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::email.eq(email)),
    ))
    .get_result(conn)
}

/// Users with a status, oldest first, after the id `after` (keyset pagination).
pub fn list_by_status(
    conn: &mut DbConnection,
    status: &str,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::status.eq(status))
        .filter(users::id.gt(after.unwrap_or(0)))
        .order(users::id.asc())
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

pub fn set_status(
    conn: &mut DbConnection,
    id: i64,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::status.eq(status), users::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}

/// Counts of users per status, for metrics and NodeInfo.
pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    users::table
        .group_by(users::status)
        .select((users::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Replaces a user's password hash.
pub fn set_password_hash(
    conn: &mut DbConnection,
    id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
}

/// Replaces what a person says of themselves.
pub fn set_profile(
    conn: &mut DbConnection,
    id: i64,
    display_name: Option<&str>,
    bio: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(display_name),
            users::bio.eq(bio),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Records the interface language a person chose.
pub fn set_language(conn: &mut DbConnection, id: i64, language: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::language.eq(language))
        .execute(conn)
}
