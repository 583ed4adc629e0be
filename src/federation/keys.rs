//! RSA-2048 key pairs for actors: every person, community and the instance actor signs its
//! own deliveries, so a compromise of one key does not let anyone speak for the others.

use openssl::pkey::PKey;
use openssl::rsa::Rsa;

use crate::error::{Error, Result};

pub use crate::db::instance::KeyPair;

/// Generates a fresh RSA-2048 pair. Takes tens of milliseconds: call it off the async threads.
pub fn generate() -> Result<KeyPair> {
    let rsa = Rsa::generate(2048).map_err(Error::internal)?;
    let pkey = PKey::from_rsa(rsa).map_err(Error::internal)?;
    let public = pkey.public_key_to_pem().map_err(Error::internal)?;
    let private = pkey.private_key_to_pem_pkcs8().map_err(Error::internal)?;
    Ok(KeyPair {
        public_pem: String::from_utf8(public).map_err(Error::internal)?,
        private_pem: String::from_utf8(private).map_err(Error::internal)?,
    })
}

/// [`generate`] on a blocking thread.
pub async fn generate_async() -> Result<KeyPair> {
    tokio::task::spawn_blocking(generate)
        .await
        .map_err(Error::internal)?
}
