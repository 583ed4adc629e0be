//! Says, for any JSON document from another server, what it is or why copse refuses it.
//!
//! Understanding a document means reading it into its typed struct (an activity from
//! [`super::activities`], an object from [`super::objects`], a [`RemoteActor`], a
//! [`Collection`]); for an activity with an embedded object, the object must be understood
//! too. Anything else is refused with a [`RefusalReason`], whose name is stable so that
//! logs, metrics and tests can count refusals by cause.
//!
//! Two decisions worth knowing:
//! - WebFinger and NodeInfo documents are refused as `not_activitystreams` rather than
//!   understood as discovery documents: they never belong in an inbox, and they are read
//!   by [`super::discovery`], at their own URLs, never through here.
//! - Copse has no private messages, so a `ChatMessage` (Lemmy, Pleroma), or a post
//!   addressed only to individual accounts (a Mastodon direct message), is refused as
//!   `private_message`, also when wrapped in an Announce or an Undo. A `Delete` names only
//!   an id, so the deletion of a private message cannot be told apart and is understood:
//!   copse looks the id up, holds nothing under it, and does nothing.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::activities::{self as act, Activity, ActivityKind, ObjectRef};
use super::collections::{Collection, CollectionKind};
use super::objects::{self as obj, ObjectKind, de::describe, is_public_address};
use super::remote_actor::{ActorKind, RemoteActor};

/// How many objects deep a document may embed others. Real activities nest at most three
/// deep (a community's Announce of an Undo of a Like); the limit keeps a hostile document
/// from making copse parse the same bytes over and over at every level.
pub const MAX_NESTING: usize = 4;

/// What an understood document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Understood {
    /// An activity, and what its embedded object is, when it embeds one (`None` when the
    /// object is a URL or a list of URLs).
    Activity {
        /// The activity's type.
        kind: ActivityKind,
        /// The embedded object, understood.
        object: Option<Box<Understood>>,
    },
    /// A content object, or a tombstone.
    Object(ObjectKind),
    /// An actor.
    Actor(ActorKind),
    /// A collection or a page of one.
    Collection(CollectionKind),
}

impl Understood {
    /// The type name, followed for an activity by its embedded object's in parentheses:
    /// `Announce(Create(Page))`, `Follow`, `Group`.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Understood {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Understood::Activity {
                kind,
                object: Some(inner),
            } => write!(f, "{}({inner})", kind.as_str()),
            Understood::Activity { kind, object: None } => f.write_str(kind.as_str()),
            Understood::Object(kind) => f.write_str(kind.as_str()),
            Understood::Actor(kind) => f.write_str(kind.as_str()),
            Understood::Collection(kind) => f.write_str(kind.as_str()),
        }
    }
}

/// Why a document is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    /// The document is not a JSON object (an array, a string, a number…).
    NotAnObject,
    /// A JSON object that is not ActivityStreams at all: no `type`, and none of the
    /// properties every ActivityStreams document has (`@context`, `id`, `actor`,
    /// `object`). WebFinger and NodeInfo documents land here.
    NotActivityStreams,
    /// An ActivityStreams document without a `type`.
    MissingType,
    /// A document of a known type without an `id`.
    MissingId,
    /// A type copse does not handle (`Question`, `Move`, `EmojiReact`…).
    UnsupportedType,
    /// A private message: copse has no direct messages.
    PrivateMessage,
    /// A known type whose fields do not read; the detail carries the parser's message.
    Malformed,
    /// Objects embedded deeper than [`MAX_NESTING`].
    TooDeep,
}

impl RefusalReason {
    /// Every reason, in declaration order.
    pub const ALL: &'static [RefusalReason] = &[
        RefusalReason::NotAnObject,
        RefusalReason::NotActivityStreams,
        RefusalReason::MissingType,
        RefusalReason::MissingId,
        RefusalReason::UnsupportedType,
        RefusalReason::PrivateMessage,
        RefusalReason::Malformed,
        RefusalReason::TooDeep,
    ];

    /// The stable snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefusalReason::NotAnObject => "not_an_object",
            RefusalReason::NotActivityStreams => "not_activitystreams",
            RefusalReason::MissingType => "missing_type",
            RefusalReason::MissingId => "missing_id",
            RefusalReason::UnsupportedType => "unsupported_type",
            RefusalReason::PrivateMessage => "private_message",
            RefusalReason::Malformed => "malformed",
            RefusalReason::TooDeep => "too_deep",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused document: the reason, and a detail for people reading logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct Refusal {
    /// Why.
    pub reason: RefusalReason,
    /// What exactly; never the document's content, which may be long or hostile.
    pub detail: String,
}

impl Refusal {
    fn new(reason: RefusalReason, detail: impl Into<String>) -> Refusal {
        Refusal {
            reason,
            detail: detail.into(),
        }
    }

    /// The same refusal, its detail saying it came from the object of `outer`.
    fn within(self, outer: ActivityKind) -> Refusal {
        Refusal {
            reason: self.reason,
            detail: format!("in the object of {}: {}", outer.as_str(), self.detail),
        }
    }
}

/// Says what `doc` is, or why copse refuses it. Never panics, whatever the input.
pub fn classify(doc: &Value) -> Result<Understood, Refusal> {
    classify_at(doc, 0)
}

fn classify_at(doc: &Value, depth: usize) -> Result<Understood, Refusal> {
    if depth > MAX_NESTING {
        return Err(Refusal::new(
            RefusalReason::TooDeep,
            format!("objects embedded more than {MAX_NESTING} deep"),
        ));
    }
    let Some(map) = doc.as_object() else {
        return Err(Refusal::new(
            RefusalReason::NotAnObject,
            format!("expected a JSON object, got {}", describe(doc)),
        ));
    };
    let type_name = match map.get("type") {
        None | Some(Value::Null) => return Err(untyped(map)),
        Some(Value::String(name)) => name.as_str(),
        Some(other) => {
            return Err(Refusal::new(
                RefusalReason::Malformed,
                format!("type must be one string, got {}", describe(other)),
            ));
        }
    };

    if let Some(kind) = ActivityKind::from_type(type_name) {
        require_id(map, type_name)?;
        activity(kind, doc, depth)
    } else if let Some(kind) = ObjectKind::from_type(type_name) {
        object(kind, doc, map)
    } else if let Some(kind) = ActorKind::from_type(type_name) {
        require_id(map, type_name)?;
        typed::<RemoteActor>(doc, type_name)?;
        Ok(Understood::Actor(kind))
    } else if let Some(kind) = CollectionKind::from_type(type_name) {
        require_id(map, type_name)?;
        typed::<Collection>(doc, type_name)?;
        Ok(Understood::Collection(kind))
    } else {
        Err(Refusal::new(
            RefusalReason::UnsupportedType,
            format!("copse does not handle type {}", printable(type_name)),
        ))
    }
}

/// An object without a type: an ActivityStreams document that lost it, or not one at all.
fn untyped(map: &Map<String, Value>) -> Refusal {
    let looks_like_as = ["@context", "id", "actor", "object"]
        .iter()
        .any(|key| map.contains_key(*key));
    if looks_like_as {
        Refusal::new(RefusalReason::MissingType, "the document has no type")
    } else {
        Refusal::new(
            RefusalReason::NotActivityStreams,
            "no type and no ActivityStreams property (a WebFinger or NodeInfo document?)",
        )
    }
}

fn require_id(map: &Map<String, Value>, type_name: &str) -> Result<(), Refusal> {
    match map.get("id") {
        None | Some(Value::Null) => Err(Refusal::new(
            RefusalReason::MissingId,
            format!("the {type_name} has no id"),
        )),
        Some(_) => Ok(()),
    }
}

/// Reads `doc` as `T`, turning a parse error into a `malformed` refusal.
fn typed<T: DeserializeOwned>(doc: &Value, type_name: &str) -> Result<T, Refusal> {
    T::deserialize(doc).map_err(|e| malformed(type_name, &e))
}

fn malformed(type_name: &str, e: &serde_json::Error) -> Refusal {
    Refusal::new(
        RefusalReason::Malformed,
        format!("the {type_name} does not read: {e}"),
    )
}

fn object(kind: ObjectKind, doc: &Value, map: &Map<String, Value>) -> Result<Understood, Refusal> {
    let name = kind.as_str();
    // Refused before anything else is checked: whatever state it is in, it is private.
    if kind == ObjectKind::ChatMessage {
        return Err(Refusal::new(
            RefusalReason::PrivateMessage,
            "a ChatMessage is a private message; copse has no private messages",
        ));
    }
    require_id(map, name)?;
    match kind {
        ObjectKind::Page => typed::<obj::Page>(doc, name).map(drop),
        ObjectKind::Note => typed::<obj::Note>(doc, name).map(drop),
        ObjectKind::Article => typed::<obj::Article>(doc, name).map(drop),
        ObjectKind::Event => typed::<obj::Event>(doc, name).map(drop),
        ObjectKind::Video => typed::<obj::Video>(doc, name).map(drop),
        ObjectKind::Tombstone => typed::<obj::Tombstone>(doc, name).map(drop),
        // Refused above; listed so that a new kind cannot be forgotten here.
        ObjectKind::ChatMessage => typed::<obj::ChatMessage>(doc, name).map(drop),
    }?;
    if kind.carries_content() && addressed_directly(&[doc]) {
        return Err(direct_message(name));
    }
    Ok(Understood::Object(kind))
}

fn activity(kind: ActivityKind, doc: &Value, depth: usize) -> Result<Understood, Refusal> {
    match kind {
        ActivityKind::Follow => understand::<act::Follow>(doc, depth),
        ActivityKind::Accept => understand::<act::Accept>(doc, depth),
        ActivityKind::Reject => understand::<act::Reject>(doc, depth),
        ActivityKind::Undo => understand::<act::Undo>(doc, depth),
        ActivityKind::Create => understand::<act::Create>(doc, depth),
        ActivityKind::Update => understand::<act::Update>(doc, depth),
        ActivityKind::Delete => understand::<act::Delete>(doc, depth),
        ActivityKind::Like => understand::<act::Like>(doc, depth),
        ActivityKind::Dislike => understand::<act::Dislike>(doc, depth),
        ActivityKind::Announce => understand::<act::Announce>(doc, depth),
        ActivityKind::Flag => understand::<act::Flag>(doc, depth),
        ActivityKind::Add => understand::<act::Add>(doc, depth),
        ActivityKind::Remove => understand::<act::Remove>(doc, depth),
        ActivityKind::Block => understand::<act::Block>(doc, depth),
        ActivityKind::Lock => understand::<act::Lock>(doc, depth),
        ActivityKind::Join => understand::<act::Join>(doc, depth),
        ActivityKind::Leave => understand::<act::Leave>(doc, depth),
        ActivityKind::Invite => understand::<act::Invite>(doc, depth),
        ActivityKind::Warn => understand::<act::Warn>(doc, depth),
    }
}

/// Reads `doc` as activity `T`, then understands its embedded object, if any.
fn understand<T: Activity>(doc: &Value, depth: usize) -> Result<Understood, Refusal> {
    let activity: T = act::parse(doc).map_err(|e| malformed(T::KIND.as_str(), &e))?;
    let object = match activity.object() {
        ObjectRef::Embedded(inner) => {
            let understood = classify_at(inner, depth + 1).map_err(|r| r.within(T::KIND))?;
            Some(Box::new(understood))
        }
        ObjectRef::Id(_) | ObjectRef::Many(_) => None,
    };

    // A post sent only to individual accounts is a direct message. Pleroma says so
    // outright; otherwise the addressing of the activity and of its object decide.
    if matches!(T::KIND, ActivityKind::Create | ActivityKind::Update)
        && let Some(Understood::Object(kind)) = object.as_deref()
        && kind.carries_content()
    {
        let says_direct = doc.get("directMessage") == Some(&Value::Bool(true));
        let both: Vec<&Value> = std::iter::once(doc)
            .chain(activity.object().embedded())
            .collect();
        if says_direct || addressed_directly(&both) {
            return Err(direct_message(kind.as_str()));
        }
    }

    Ok(Understood::Activity {
        kind: T::KIND,
        object,
    })
}

fn direct_message(type_name: &str) -> Refusal {
    Refusal::new(
        RefusalReason::PrivateMessage,
        format!(
            "the {type_name} is addressed only to individual accounts; copse has no private messages"
        ),
    )
}

/// Whether the documents, taken together, are addressed only to individual accounts: to
/// someone, but not to the public, not to a community (`audience`) and not to a followers
/// collection. Documents with no addressing at all are not counted as direct: some servers
/// leave it out of what they serve, and absence says nothing.
fn addressed_directly(docs: &[&Value]) -> bool {
    let mut anyone = false;
    for doc in docs {
        if doc.get("audience").is_some_and(|a| !a.is_null()) {
            return false;
        }
        for key in ["to", "cc", "bto", "bcc"] {
            for address in addresses(doc.get(key)) {
                anyone = true;
                // Followers collections have no type on the wire; every server seen names
                // them this way.
                if is_public_address(address) || address.ends_with("/followers") {
                    return false;
                }
            }
        }
    }
    anyone
}

/// The ids in an addressing property: a string, an object with an id, or a list of them.
fn addresses(value: Option<&Value>) -> Vec<&str> {
    fn id_of(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) => Some(s),
            Value::Object(m) => m.get("id").and_then(Value::as_str),
            _ => None,
        }
    }
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(id_of).collect(),
        Some(one) => id_of(one).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A type name fit for a log line: quoted, and cut short, since it came from outside.
fn printable(name: &str) -> String {
    const MAX: usize = 64;
    match name.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &name[..cut]),
        None => format!("{name:?}"),
    }
}
