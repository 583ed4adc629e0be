//! The small values content objects share: references (`actor`, `attributedTo`), sources,
//! links, images, attachments, tags and terms. Each reads every shape seen from other
//! servers and writes the one copse sends.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::shapes::de;

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
