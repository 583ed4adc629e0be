//! Ids of the activities copse sends: unique, under this server, and naming their kind so
//! that a log line says what was sent.

use base64::Engine;
use rand::RngCore;

use crate::federation::urls::Urls;

/// A fresh activity id such as `https://cop.example/activities/follow/3q2-7w…`.
pub fn new_activity_id(urls: &Urls, kind: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}/activities/{}/{token}",
        urls.base(),
        kind.to_ascii_lowercase()
    )
}
