//! Wire types: the JSON copse publishes and accepts, kept apart from behaviour.

pub mod activities;
pub mod actors;
pub mod classify;
pub mod collections;
pub mod discovery;
pub mod envelope;
pub mod objects;
pub mod outgoing;
pub mod remote_actor;
mod shapes;
pub mod values;

/// The ActivityStreams context, the `@context` of every activity copse sends.
pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// The public collection: addressed content is readable by anyone.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The `@context` of actors copse publishes: ActivityStreams, the security vocabulary for
/// `publicKey`, and the extension terms Lemmy and Mastodon read.
pub fn actor_context() -> serde_json::Value {
    serde_json::json!([
        AS_CONTEXT,
        "https://w3id.org/security/v1",
        {
            "lemmy": "https://join-lemmy.org/ns#",
            "toot": "http://joinmastodon.org/ns#",
            "sensitive": "as:sensitive",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "discoverable": "toot:discoverable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "source": "as:source"
        }
    ])
}

/// The media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";
