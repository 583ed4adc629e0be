//! The instance actor's key pair: created once, on first need, and kept.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::instance_keys;

/// A key pair in PEM: SPKI for the public half (as `publicKeyPem` publishes it) and PKCS#8
/// for the private half.
#[derive(Clone)]
pub struct KeyPair {
    pub public_pem: String,
    pub private_pem: String,
}

pub fn key(conn: &mut DbConnection) -> QueryResult<Option<KeyPair>> {
    let row: Option<(String, String)> = instance_keys::table
        .find(1_i64)
        .select((
            instance_keys::public_key_pem,
            instance_keys::private_key_pem,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(public_pem, private_pem)| KeyPair {
        public_pem,
        private_pem,
    }))
}

/// Stores `pair` unless another process stored one first; returns the pair in force.
pub fn store_key(conn: &mut DbConnection, pair: &KeyPair) -> QueryResult<KeyPair> {
    conn.transaction(|conn| {
        if let Some(existing) = key(conn)? {
            return Ok(existing);
        }
        diesel::insert_into(instance_keys::table)
            .values((
                instance_keys::id.eq(1_i64),
                instance_keys::public_key_pem.eq(&pair.public_pem),
                instance_keys::private_key_pem.eq(&pair.private_pem),
                instance_keys::created_at.eq(crate::time::now()),
            ))
            .execute(conn)?;
        Ok(pair.clone())
    })
}
