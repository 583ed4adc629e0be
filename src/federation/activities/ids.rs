//! Ids of the activities copse sends: see [`Urls::new_activity_id`].

use crate::federation::urls::Urls;

/// A fresh activity id such as `https://cop.example/activities/follow/3q2-7w…`.
pub fn new_activity_id(urls: &Urls, kind: &str) -> String {
    urls.new_activity_id(kind)
}
