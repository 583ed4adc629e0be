//! Actors of other servers as copse reads them: people, communities and channels (`Group`),
//! and server-level actors (`Application`, `Service`, `Organization`).
//!
//! [`super::actors::Actor`] is strict because it is what copse promises to others. This
//! type is tolerant because it is what others send: only what copse cannot work without is
//! required (an id, a type, an inbox to deliver to and a key to check signatures with);
//! everything else is optional and unknown fields are ignored.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::actors::PublicKey;
use super::objects::{Image, Link, Reference, Source, Timestamp, author_of, de};

/// The actor types copse recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum ActorKind {
    /// A person's account.
    Person,
    /// A community (Lemmy), a group (Mobilizon), a channel (PeerTube).
    Group,
    /// A server's own actor (Lemmy's site actor).
    Application,
    /// A bot or a server-level actor.
    Service,
    /// An organization's account.
    Organization,
}

impl ActorKind {
    /// Every actor kind, in declaration order.
    pub const ALL: &'static [ActorKind] = &[
        ActorKind::Person,
        ActorKind::Group,
        ActorKind::Application,
        ActorKind::Service,
        ActorKind::Organization,
    ];

    /// The ActivityStreams type name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Person => "Person",
            ActorKind::Group => "Group",
            ActorKind::Application => "Application",
            ActorKind::Service => "Service",
            ActorKind::Organization => "Organization",
        }
    }

    /// The kind named by a `type` value, if copse recognizes it.
    pub fn from_type(name: &str) -> Option<ActorKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

/// `endpoints` of a remote actor. Only the shared inbox matters to copse; Mobilizon and
/// Pleroma list more, and `null`s.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteEndpoints {
    /// The server-wide inbox, to deliver once per server instead of once per follower.
    pub shared_inbox: Option<String>,
}

/// An actor of another server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteActor {
    /// The actor's id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ActorKind,
    /// Its handle without the host (`main` in `!main@host`). Lemmy's site actor uses the
    /// host name here.
    pub preferred_username: Option<String>,
    /// Its display name.
    pub name: Option<String>,
    /// Its bio or description, HTML.
    pub summary: Option<String>,
    /// What `summary` was rendered from.
    pub source: Option<Source>,
    /// Where to deliver to it.
    pub inbox: String,
    /// What it published.
    pub outbox: Option<String>,
    /// Its followers collection.
    pub followers: Option<String>,
    /// What it follows.
    pub following: Option<String>,
    /// Its pinned posts.
    pub featured: Option<String>,
    /// For a Lemmy community: its moderators collection. For a PeerTube channel: the
    /// accounts that own it.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub attributed_to: Vec<Reference>,
    /// Older Lemmy versions named the moderators collection this way.
    pub moderators: Option<String>,
    /// Its endpoints.
    #[serde(default, deserialize_with = "de::null_as_default")]
    pub endpoints: RemoteEndpoints,
    /// The key its signatures are checked with. Some servers list several keys; the first
    /// is taken.
    #[serde(deserialize_with = "first_key")]
    pub public_key: PublicKey,
    /// Follows need its approval.
    pub manually_approves_followers: Option<bool>,
    /// It agrees to be listed in directories.
    pub discoverable: Option<bool>,
    /// Only moderators may post in this community (Lemmy).
    pub posting_restricted_to_mods: Option<bool>,
    /// Marked sensitive (NSFW).
    pub sensitive: Option<bool>,
    /// Avatars; PeerTube lists several sizes.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub icon: Vec<Image>,
    /// Banners.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub image: Vec<Image>,
    /// Its HTML profile page.
    #[serde(default, deserialize_with = "de::first")]
    pub url: Option<Link>,
    /// When it was created.
    pub published: Option<Timestamp>,
    /// When it was last changed.
    pub updated: Option<Timestamp>,
}

impl RemoteActor {
    /// Where to deliver to it: the shared inbox when there is one, else its own.
    pub fn delivery_inbox(&self) -> &str {
        self.endpoints
            .shared_inbox
            .as_deref()
            .unwrap_or(&self.inbox)
    }

    /// The moderators collection of a Lemmy community: `attributedTo` when it is a single
    /// URL, else the older `moderators`.
    pub fn moderators_collection(&self) -> Option<&str> {
        match self.attributed_to.as_slice() {
            [only] if only.kind.is_none() => Some(&only.id),
            _ => self.moderators.as_deref(),
        }
    }

    /// The account that owns a PeerTube channel; see [`author_of`].
    pub fn owner(&self) -> Option<&str> {
        author_of(&self.attributed_to)
    }

    /// The avatar URL, when there is one; of several sizes, the largest.
    pub fn avatar(&self) -> Option<&str> {
        largest(&self.icon)
    }

    /// The banner URL, when there is one; of several sizes, the largest.
    pub fn banner(&self) -> Option<&str> {
        largest(&self.image)
    }
}

fn largest(images: &[Image]) -> Option<&str> {
    images
        .iter()
        .max_by_key(|i| i.width.unwrap_or(0))
        .map(|i| i.url.as_str())
}

fn first_key<'de, D: Deserializer<'de>>(d: D) -> Result<PublicKey, D::Error> {
    let v = Value::deserialize(d)?;
    let one = match v {
        Value::Array(keys) => keys
            .into_iter()
            .next()
            .ok_or_else(|| serde::de::Error::custom("publicKey is an empty list"))?,
        one => one,
    };
    serde_json::from_value(one).map_err(serde::de::Error::custom)
}
