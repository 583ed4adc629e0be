//! Objects copse reads from other servers: posts (`Page`, `Article`), comments (`Note`),
//! Mobilizon events, PeerTube videos, deletions (`Tombstone`) and private messages
//! (`ChatMessage`, read only so that they can be refused by name), plus the small values
//! they share: references, sources, links, images, attachments and tags.
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
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

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

/// Something named by its id: either a bare URL or an embedded object with an `id`. Used
/// for `actor`, `attributedTo` and similar, which servers send both ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The id of what is referred to.
    pub id: String,
    /// The `type` of an embedded object, when it had one (PeerTube names `Person` and
    /// `Group` in `attributedTo`).
    pub kind: Option<String>,
}

impl Serialize for Reference {
    /// A reference is sent as its id: copse never embeds what it refers to.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id)
    }
}

impl From<&str> for Reference {
    fn from(id: &str) -> Self {
        Reference {
            id: id.to_string(),
            kind: None,
        }
    }
}

impl From<String> for Reference {
    fn from(id: String) -> Self {
        Reference { id, kind: None }
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(id) => Ok(Reference { id, kind: None }),
            Value::Object(map) => match map.get("id") {
                Some(Value::String(id)) => Ok(Reference {
                    id: id.clone(),
                    kind: map.get("type").and_then(Value::as_str).map(str::to_string),
                }),
                _ => Err(serde::de::Error::custom(
                    "an embedded reference has no string id",
                )),
            },
            other => Err(serde::de::Error::custom(format!(
                "expected a URL or an object with an id, got {}",
                de::describe(&other)
            ))),
        }
    }
}

/// Of several `attributedTo` entries, the one that names the author. PeerTube lists the
/// account (`Person`) and the channel (`Group`); the account is the author. Entries without
/// a type are taken as they come.
pub fn author_of(attributed_to: &[Reference]) -> Option<&str> {
    attributed_to
        .iter()
        .find(|r| matches!(r.kind.as_deref(), None | Some("Person")))
        .or_else(|| attributed_to.first())
        .map(|r| r.id.as_str())
}

/// The source a server rendered `content` from, usually Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The source text.
    pub content: String,
    /// Its media type (`text/markdown` from Lemmy). Pleroma sends the source as a bare
    /// string, without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

impl Source {
    /// Markdown, the source of everything copse renders.
    pub fn markdown(content: &str) -> Source {
        Source {
            content: content.to_string(),
            media_type: Some("text/markdown".into()),
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Full {
            content: String,
            media_type: Option<String>,
        }
        match Value::deserialize(d)? {
            Value::String(content) => Ok(Source {
                content,
                media_type: None,
            }),
            other => {
                let full: Full = serde_json::from_value(other).map_err(serde::de::Error::custom)?;
                Ok(Source {
                    content: full.content,
                    media_type: full.media_type,
                })
            }
        }
    }
}

/// A link: a bare URL, a `Link` object with `href`, or an object with a string `url`.
/// PeerTube lists several `Link`s (one per format) where others send one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Where the link points.
    pub href: String,
    /// The media type of what it points to, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

impl<'de> Deserialize<'de> for Link {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let media_type = value
            .get("mediaType")
            .and_then(Value::as_str)
            .map(str::to_string);
        let href = match &value {
            Value::String(s) => Some(s.clone()),
            Value::Object(map) => map
                .get("href")
                .or_else(|| map.get("url"))
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        };
        match href {
            Some(href) => Ok(Link { href, media_type }),
            None => Err(serde::de::Error::custom(format!(
                "expected a URL or a Link with an href, got {}",
                de::describe(&value)
            ))),
        }
    }
}

/// An image: an avatar, a banner, a thumbnail or a post's preview.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Where the image is.
    #[serde(deserialize_with = "de::href")]
    pub url: String,
    /// Its media type, when given (Mobilizon sends `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Alternative text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Width in pixels, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// A file or link attached to an object. Lemmy sends `{type: Link, href}`, Mastodon and
/// Mobilizon `{type: Document, url, mediaType, name}`; both end up in `url`. Copse sends
/// Lemmy's shape, with `href`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "AttachmentWire", rename_all = "camelCase")]
pub struct Attachment {
    /// `Link`, `Document`, `Image`…, when given.
    #[serde(rename(serialize = "type"), skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Where the attachment is, from `href` or `url`.
    #[serde(rename(serialize = "href"), skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its media type, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Its description (alt text for images).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Attachment {
    /// A link, as Lemmy attaches a post's URL.
    pub fn link(href: &str) -> Attachment {
        Attachment {
            kind: Some("Link".into()),
            url: Some(href.to_string()),
            media_type: None,
            name: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttachmentWire {
    #[serde(rename = "type")]
    kind: Option<String>,
    href: Option<String>,
    #[serde(default, deserialize_with = "de::first")]
    url: Option<Link>,
    media_type: Option<String>,
    name: Option<String>,
}

impl From<AttachmentWire> for Attachment {
    fn from(w: AttachmentWire) -> Self {
        Attachment {
            kind: w.kind,
            url: w.href.or_else(|| w.url.map(|l| l.href)),
            media_type: w.media_type,
            name: w.name,
        }
    }
}

/// A tag on an object. Copse reads mentions and hashtags; other tags (Mastodon's custom
/// `Emoji`, PeerTube's) are kept as [`Tag::Other`] so they do not make a post unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type")]
pub enum Tag {
    /// A mention of an actor.
    Mention(Mention),
    /// A hashtag (Lemmy tags a post with its community this way).
    Hashtag(Hashtag),
    /// Any other tag type.
    #[serde(other)]
    Other,
}

/// A mention of an actor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Mention {
    /// The mentioned actor's id.
    pub href: String,
    /// The handle as written, `@name@host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A hashtag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Hashtag {
    /// The tag's page, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The tag as written, `#name`.
    pub name: String,
}

/// A term with a code and a display name: a Lemmy or PeerTube language, a PeerTube
/// category or licence.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Term {
    /// The code (`fr`, or PeerTube's numeric category ids as strings).
    pub identifier: String,
    /// The human name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

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

/// Serialization helpers: the forms copse writes where serde's own differ.
pub(crate) mod ser {
    use chrono::SecondsFormat;
    use serde::{Serialize, Serializer};

    use super::{ObjectFields, Timestamp};

    /// RFC 3339 with microseconds and `Z`: receivers order posts by it, and two posts in the
    /// same second must keep their order. (chrono's own form drops trailing zeros.)
    pub(crate) fn timestamp<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => s.serialize_none(),
        }
    }

    /// One value as itself, several as a list: an object has one author, and servers that
    /// read `attributedTo` as a URL must find one.
    pub(crate) fn one_or_many<S: Serializer, T: Serialize>(
        items: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match items {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }

    /// The shared fields, with `cc` written even when empty.
    pub(crate) fn with_cc<S: Serializer>(fields: &ObjectFields, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithEmptyCc<'a> {
            #[serde(flatten)]
            fields: &'a ObjectFields,
            cc: [&'a str; 0],
        }
        if fields.cc.is_empty() {
            WithEmptyCc { fields, cc: [] }.serialize(s)
        } else {
            fields.serialize(s)
        }
    }
}

/// Deserialization helpers for the shapes servers vary on. Each reads a
/// [`serde_json::Value`] first, so its errors can say what was found instead of serde's
/// generic "did not match any variant".
pub(crate) mod de {
    use serde::de::{DeserializeOwned, Error};
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    use super::{Link, Reference};

    /// A short description of a JSON value for error messages, never its content: the
    /// content may be long, or hostile.
    pub(crate) fn describe(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// One value or a list of them; `null` is the empty list.
    pub(crate) fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        match Value::deserialize(d)? {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .into_iter()
                .map(|item| serde_json::from_value(item).map_err(D::Error::custom))
                .collect(),
            one => serde_json::from_value(one)
                .map(|v| vec![v])
                .map_err(D::Error::custom),
        }
    }

    /// The first of one value or a list of them; `null` and `[]` are `None`.
    pub(crate) fn first<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        Ok(one_or_many(d)?.into_iter().next())
    }

    /// Ids from one reference or a list of them (addressing: `to`, `cc`).
    pub(crate) fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(one_or_many::<D, Reference>(d)?
            .into_iter()
            .map(|r| r.id)
            .collect())
    }

    /// An optional id, from a URL or an embedded object.
    pub(crate) fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(first::<D, Reference>(d)?.map(|r| r.id))
    }

    /// An id if one can be found, else `None`, never an error. For properties copse only
    /// uses as a hint.
    pub(crate) fn loose_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match v {
            Value::String(s) => Some(s),
            Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
    }

    /// The href of one link or the first of a list.
    pub(crate) fn href<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        first::<D, Link>(d)?
            .map(|l| l.href)
            .ok_or_else(|| D::Error::custom("an empty list where a URL was expected"))
    }

    /// A value if it reads as one, else `None`, never an error: for extension properties a
    /// document must not be refused over.
    pub(crate) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        Ok(serde_json::from_value(Value::deserialize(d)?).ok())
    }

    /// A value where `null` means the default.
    pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }
}
