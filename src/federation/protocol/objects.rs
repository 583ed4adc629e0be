//! Objects copse reads from other servers: posts (`Page`, `Article`), comments (`Note`),
//! Mobilizon events, PeerTube videos, deletions (`Tombstone`) and private messages
//! (`ChatMessage`, read only so that they can be refused by name). The small values they
//! share (references, sources, links, images, attachments, tags) are in [`super::values`].
//!
//! Servers disagree on shapes: one sends a string where another sends an object or a list
//! (`attributedTo`, `to`, `url`, `icon`, `source`). The types here accept every shape seen
//! in the fixtures and normalize it, so code further in sees one form. Unknown fields are
//! ignored: a peer adding a property must not make copse refuse its documents.
//!
//! The same types serialize what copse sends (a post's `Page`, a comment's `Note`, a
//! `Tombstone`): empty and absent fields are left out, references are written as their id,
//! and times as RFC 3339 with microseconds, so that receivers keep two posts of the same
//! second in order. Actors are built separately (see [`super::actors`]).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub(crate) use super::shapes::{de, ser};

/// A timestamp as ActivityPub carries it: RFC 3339, with an offset.
pub type Timestamp = DateTime<FixedOffset>;

/// The public collection. Addressing it makes a document visible to anyone.
pub use super::PUBLIC;

/// Whether an address means "public". JSON-LD compaction lets servers shorten the full IRI,
/// and some do, so the compact forms count too.
pub fn is_public_address(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}

/// The object types copse recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum ObjectKind {
    /// A post (Lemmy, and copse itself).
    Page,
    /// A comment, or a Mastodon status.
    Note,
    /// A long-form post (Plume, WordPress, Friendica).
    Article,
    /// A Mobilizon event.
    Event,
    /// A PeerTube video.
    Video,
    /// What remains of a deleted object.
    Tombstone,
    /// A private message (Lemmy, Pleroma). Recognized only to be refused.
    ChatMessage,
}

impl ObjectKind {
    /// Every object kind, in declaration order.
    pub const ALL: &'static [ObjectKind] = &[
        ObjectKind::Page,
        ObjectKind::Note,
        ObjectKind::Article,
        ObjectKind::Event,
        ObjectKind::Video,
        ObjectKind::Tombstone,
        ObjectKind::ChatMessage,
    ];

    /// The ActivityStreams type name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Page => "Page",
            ObjectKind::Note => "Note",
            ObjectKind::Article => "Article",
            ObjectKind::Event => "Event",
            ObjectKind::Video => "Video",
            ObjectKind::Tombstone => "Tombstone",
            ObjectKind::ChatMessage => "ChatMessage",
        }
    }

    /// The kind named by a `type` value, if copse recognizes it.
    pub fn from_type(name: &str) -> Option<ObjectKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// Whether objects of this kind carry content that people read and address. Only those
    /// can be direct messages; a Tombstone has no audience of its own.
    pub fn carries_content(self) -> bool {
        !matches!(self, ObjectKind::Tombstone)
    }
}

pub use super::values::{
    Attachment, Hashtag, Image, Link, Mention, Reference, Source, Tag, Term, author_of,
};

/// The fields every content object shares. Flattened into [`Page`], [`Note`],
/// [`Article`], [`Event`] and [`Video`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectFields {
    /// The object's id.
    pub id: String,
    /// Who made it; see [`ObjectFields::author`].
    #[serde(
        default,
        deserialize_with = "de::one_or_many",
        serialize_with = "ser::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attributed_to: Vec<Reference>,
    /// Primary recipients.
    #[serde(
        default,
        deserialize_with = "de::ids",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub to: Vec<String>,
    /// Secondary recipients.
    #[serde(
        default,
        deserialize_with = "de::ids",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cc: Vec<String>,
    /// The community it belongs to (FEP-1b12, as Lemmy sends it).
    #[serde(
        default,
        deserialize_with = "de::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<String>,
    /// The title (posts, events, videos).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The body, as `mediaType` says (HTML unless told otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The body per language (Mastodon).
    #[serde(
        default,
        deserialize_with = "de::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub content_map: BTreeMap<String, String>,
    /// The media type of `content`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// What `content` was rendered from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// A content warning (Mastodon) or summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Marked sensitive (NSFW).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// What it replies to.
    #[serde(
        default,
        deserialize_with = "de::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_reply_to: Option<String>,
    /// The thread it belongs to. Only read when it names an id; servers put different
    /// things here, and none of them is worth refusing a post over.
    #[serde(
        default,
        deserialize_with = "de::loose_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
    /// When it was first published.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser::timestamp"
    )]
    pub published: Option<Timestamp>,
    /// When it was last edited.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser::timestamp"
    )]
    pub updated: Option<Timestamp>,
    /// Its HTML pages (one URL, or PeerTube's list of formats).
    #[serde(
        default,
        deserialize_with = "de::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub url: Vec<Link>,
    /// Attached files and links.
    #[serde(
        default,
        deserialize_with = "de::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<Attachment>,
    /// Mentions, hashtags and other tags.
    #[serde(
        default,
        deserialize_with = "de::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Tag>,
    /// Its language, as Lemmy and PeerTube name it.
    #[serde(
        default,
        deserialize_with = "de::first",
        skip_serializing_if = "Option::is_none"
    )]
    pub language: Option<Term>,
    /// A preview image (Lemmy posts).
    #[serde(
        default,
        deserialize_with = "de::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub image: Vec<Image>,
    /// Icons or thumbnails (PeerTube).
    #[serde(
        default,
        deserialize_with = "de::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub icon: Vec<Image>,
}

impl ObjectFields {
    /// The author's id; see [`author_of`].
    pub fn author(&self) -> Option<&str> {
        author_of(&self.attributed_to)
    }

    /// Everyone it is addressed to: `to`, `cc` and `audience`.
    pub fn recipients(&self) -> impl Iterator<Item = &str> {
        self.to
            .iter()
            .chain(&self.cc)
            .map(String::as_str)
            .chain(self.audience.as_deref())
    }

    /// Whether it is addressed to the public.
    pub fn is_public(&self) -> bool {
        self.recipients().any(is_public_address)
    }

    /// Its language code: Lemmy's and PeerTube's `language`, else the first language of
    /// Mastodon's `contentMap`.
    pub fn language_code(&self) -> Option<&str> {
        self.language
            .as_ref()
            .map(|t| t.identifier.as_str())
            .or_else(|| self.content_map.keys().next().map(String::as_str))
    }
}

/// A post: what Lemmy sends for a thread's opening post.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// Always [`ObjectKind::Page`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The shared fields. A `Page` is sent with `cc` even when it is empty, as Lemmy sends
    /// its own.
    #[serde(flatten, serialize_with = "ser::with_cc")]
    pub fields: ObjectFields,
    /// Whether replies are allowed (Lemmy's lock, as a property).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments_enabled: Option<bool>,
    /// Pinned in its community.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stickied: Option<bool>,
}

/// A comment, or a Mastodon, Pleroma or PeerTube status.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// Always [`ObjectKind::Note`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The shared fields.
    #[serde(flatten)]
    pub fields: ObjectFields,
    /// Marked by a moderator as speaking for the community (Lemmy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinguished: Option<bool>,
}

/// A long-form post.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// Always [`ObjectKind::Article`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The shared fields.
    #[serde(flatten)]
    pub fields: ObjectFields,
    /// Whether replies are allowed.
    pub comments_enabled: Option<bool>,
}

/// A Mobilizon event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Always [`ObjectKind::Event`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The shared fields.
    #[serde(flatten)]
    pub fields: ObjectFields,
    /// When it starts. Required: an event without a start cannot be listed.
    pub start_time: Timestamp,
    /// When it ends.
    pub end_time: Option<Timestamp>,
    /// Its IANA time zone, for display.
    pub timezone: Option<String>,
    /// Where it happens.
    pub location: Option<Place>,
    /// Held online.
    pub is_online: Option<bool>,
    /// How people join: `free`, `restricted`, `invite`.
    pub join_mode: Option<String>,
    /// Whether comments are allowed.
    pub comments_enabled: Option<bool>,
    /// Not yet published by its organizer.
    pub draft: Option<bool>,
    /// Capacity (0: unlimited).
    pub maximum_attendee_capacity: Option<u64>,
    /// Places left.
    pub remaining_attendee_capacity: Option<u64>,
    /// How many take part.
    pub participant_count: Option<u64>,
    /// Mobilizon's category (`SPORTS`…).
    pub category: Option<String>,
    /// The language code Mobilizon gives (`en`).
    pub in_language: Option<String>,
}

/// A place, as Mobilizon describes an event's or a group's location.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    /// Its name.
    pub name: Option<String>,
    /// Its address.
    pub address: Option<Address>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
}

/// An address: Mobilizon's structured `PostalAddress`, or plain text as other event
/// software sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Address {
    /// One line of text.
    Text(String),
    /// A structured address.
    Postal(PostalAddress),
}

/// A schema.org `PostalAddress`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    /// Street and number.
    pub street_address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Town or city.
    pub address_locality: Option<String>,
    /// Region or state.
    pub address_region: Option<String>,
    /// Country.
    pub address_country: Option<String>,
}

/// A PeerTube video.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// Always [`ObjectKind::Video`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The shared fields; `attributedTo` names the account and the channel.
    #[serde(flatten)]
    pub fields: ObjectFields,
    /// Its length, as an ISO 8601 duration (`PT1145S`).
    pub duration: Option<String>,
    /// PeerTube's own id for it.
    pub uuid: Option<String>,
    /// Whether comments are allowed.
    pub comments_enabled: Option<bool>,
    /// Whether it may be downloaded.
    pub download_enabled: Option<bool>,
    /// View count.
    pub views: Option<u64>,
    /// A live stream rather than a recording.
    pub is_live_broadcast: Option<bool>,
    /// PeerTube's category.
    pub category: Option<Term>,
    /// Its licence.
    pub licence: Option<Term>,
    /// How to support the author.
    pub support: Option<String>,
}

/// What remains of a deleted object.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    /// Always [`ObjectKind::Tombstone`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The id of the deleted object.
    pub id: String,
    /// What it was before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former_type: Option<String>,
    /// When it was deleted.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser::timestamp"
    )]
    pub deleted: Option<Timestamp>,
}

/// A private message (Lemmy, Pleroma). Copse has no private messages; this type exists so
/// that the refusal is a decision made on a parsed document, not a guess.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Always [`ObjectKind::ChatMessage`].
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The message's id.
    pub id: String,
    /// The sender.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub attributed_to: Vec<Reference>,
    /// The recipients.
    #[serde(default, deserialize_with = "de::ids")]
    pub to: Vec<String>,
    /// The text.
    pub content: Option<String>,
    /// The media type of `content`.
    pub media_type: Option<String>,
    /// What `content` was rendered from.
    pub source: Option<Source>,
    /// When it was sent.
    pub published: Option<Timestamp>,
}
