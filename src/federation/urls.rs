//! The ActivityPub ids of local things. Every id is built here, so their shape is decided
//! in one place (and never changes once published).

use crate::config::Config;

/// Builds ids under this server's public base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    base: String,
}

impl Urls {
    pub fn new(config: &Config) -> Urls {
        Urls {
            base: config.public_url(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The host (and port, if any) that handles name: `cop.example` in `@ana@cop.example`.
    pub fn host(&self) -> &str {
        self.base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, host)| host)
    }

    /// A fresh activity id such as `https://cop.example/activities/follow/3q2-7w…`: unique,
    /// under this server, naming its kind so that a log line says what was sent. The domain
    /// takes one when it stores the id of what it is about to announce (a vote, a ban).
    pub fn new_activity_id(&self, kind: &str) -> String {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        format!(
            "{}/activities/{}/{token}",
            self.base,
            kind.to_ascii_lowercase()
        )
    }

    /// The origin with a trailing slash: the FEP-d556 resource naming the server itself.
    pub fn origin(&self) -> String {
        format!("{}/", self.base)
    }

    /// A local post, by row id.
    pub fn post(&self, id: i64) -> String {
        format!("{}/post/{id}", self.base)
    }

    /// A local comment, by row id.
    pub fn comment(&self, id: i64) -> String {
        format!("{}/comment/{id}", self.base)
    }

    pub fn person(&self, name: &str) -> String {
        format!("{}/u/{name}", self.base)
    }

    pub fn community(&self, name: &str) -> String {
        format!("{}/c/{name}", self.base)
    }

    /// The instance actor (FEP-2677's application actor).
    pub fn instance_actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    /// The instance's reporting actor: a `Service` that signs forwarded reports to servers
    /// (Lemmy) whose communities take reports from people and services only, not from an
    /// application actor. It holds the instance actor's key under its own key id.
    pub fn reports_actor(&self) -> String {
        format!("{}/actor/reports", self.base)
    }

    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }

    /// The key id of an actor's main key, as Mastodon and Lemmy write it.
    pub fn key_id(actor_id: &str) -> String {
        format!("{actor_id}#main-key")
    }
}
