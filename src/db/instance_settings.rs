//! Queries on `instance_settings`: values admins change while the server runs, one per key
//! (the federation mode, for now).

use diesel::prelude::*;

use super::DbConnection;
use super::schema::instance_settings;

/// The key of the federation mode (`blocklist`, the default when absent, or `allowlist`).
pub const FEDERATION_MODE: &str = "federation_mode";

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    instance_settings::table
        .find(key)
        .select(instance_settings::value)
        .first(conn)
        .optional()
}

/// Sets `key` to `value`, inside the caller's transaction.
pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<()> {
    let now = crate::time::now();
    let changed = diesel::update(instance_settings::table.find(key))
        .set((
            instance_settings::value.eq(value),
            instance_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(instance_settings::table)
            .values((
                instance_settings::key.eq(key),
                instance_settings::value.eq(value),
                instance_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
