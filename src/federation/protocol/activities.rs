//! Activities copse accepts, one struct per type: following (`Follow`, `Accept`, `Reject`,
//! `Undo`), content (`Create`, `Update`, `Delete`), votes (`Like`, `Dislike`), community
//! distribution and moderation (`Announce`, `Flag`, `Add`, `Remove`, `Block`, `Lock`) and
//! Mobilizon's participation (`Join`, `Leave`, `Invite`).
//!
//! Every activity has an id, an actor and an object. The object may be a URL or embedded
//! (Lemmy embeds the Follow it accepts and the post it creates); Mastodon and mbin's `Flag`
//! lists several URLs. [`ObjectRef`] keeps all three shapes. The actor is a URL, or for
//! some PeerTube and Mobilizon activities an embedded actor: [`Reference`] reduces both to
//! an id.
//!
//! The same structs are what copse sends (see [`super::outgoing`]): fields a document
//! leaves out are left out again, `@context` is written when set, and the extension fields
//! copse sends (`answers`, `rulesAccepted`, `invite`) are read leniently, so that adding
//! them refuses nothing that was accepted before.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::objects::{Reference, Tag, Timestamp, de, ser};

/// The activity types copse recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum ActivityKind {
    /// Ask to follow an actor (a person following a community).
    Follow,
    /// Accept a Follow (or a Mobilizon Join).
    Accept,
    /// Refuse a Follow.
    Reject,
    /// Take back an earlier activity.
    Undo,
    /// Publish an object.
    Create,
    /// Edit an object or an actor.
    Update,
    /// Delete an object or an account (Lemmy also uses it for a moderator's removal).
    Delete,
    /// Upvote or favourite.
    Like,
    /// Downvote.
    Dislike,
    /// Share; how a community distributes what is posted to it.
    Announce,
    /// Report to moderators.
    Flag,
    /// Add to a collection: a moderator, a featured post.
    Add,
    /// Remove from a collection.
    Remove,
    /// Ban from a community or an instance.
    Block,
    /// Lock a post against new comments (Lemmy).
    Lock,
    /// Take part in an event or a group (Mobilizon).
    Join,
    /// Stop taking part (Mobilizon).
    Leave,
    /// Invite to an event or a group (Mobilizon).
    Invite,
    /// A moderator's warning to a person about what they wrote (Lemmy 1.0).
    Warn,
}

impl ActivityKind {
    /// Every activity kind, in declaration order.
    pub const ALL: &'static [ActivityKind] = &[
        ActivityKind::Follow,
        ActivityKind::Accept,
        ActivityKind::Reject,
        ActivityKind::Undo,
        ActivityKind::Create,
        ActivityKind::Update,
        ActivityKind::Delete,
        ActivityKind::Like,
        ActivityKind::Dislike,
        ActivityKind::Announce,
        ActivityKind::Flag,
        ActivityKind::Add,
        ActivityKind::Remove,
        ActivityKind::Block,
        ActivityKind::Lock,
        ActivityKind::Join,
        ActivityKind::Leave,
        ActivityKind::Invite,
        ActivityKind::Warn,
    ];

    /// The ActivityStreams type name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Follow => "Follow",
            ActivityKind::Accept => "Accept",
            ActivityKind::Reject => "Reject",
            ActivityKind::Undo => "Undo",
            ActivityKind::Create => "Create",
            ActivityKind::Update => "Update",
            ActivityKind::Delete => "Delete",
            ActivityKind::Like => "Like",
            ActivityKind::Dislike => "Dislike",
            ActivityKind::Announce => "Announce",
            ActivityKind::Flag => "Flag",
            ActivityKind::Add => "Add",
            ActivityKind::Remove => "Remove",
            ActivityKind::Block => "Block",
            ActivityKind::Lock => "Lock",
            ActivityKind::Join => "Join",
            ActivityKind::Leave => "Leave",
            ActivityKind::Invite => "Invite",
            ActivityKind::Warn => "Warn",
        }
    }

    /// The kind named by a `type` value, if copse recognizes it.
    pub fn from_type(name: &str) -> Option<ActivityKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

/// The `object` of an activity.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectRef {
    /// A URL, to look up or fetch.
    Id(String),
    /// An embedded object or activity; always a JSON object. Its own type decides how to
    /// read it, so it is kept as JSON.
    Embedded(Value),
    /// Several objects (a `Flag` reporting an account and some of its posts).
    Many(Vec<ObjectRef>),
}

impl ObjectRef {
    /// The id of the object: the URL, or the `id` of the embedded object. `None` for a list,
    /// or an embedded object without a string id.
    pub fn id(&self) -> Option<&str> {
        match self {
            ObjectRef::Id(id) => Some(id),
            ObjectRef::Embedded(v) => v.get("id").and_then(Value::as_str),
            ObjectRef::Many(_) => None,
        }
    }

    /// The ids of every object named, in order; a single object gives one.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            ObjectRef::Many(items) => items.iter().filter_map(ObjectRef::id).collect(),
            one => one.id().into_iter().collect(),
        }
    }

    /// The embedded object, if it is one.
    pub fn embedded(&self) -> Option<&Value> {
        match self {
            ObjectRef::Embedded(v) => Some(v),
            _ => None,
        }
    }

    /// The `type` of the embedded object, if it is one and has a string type.
    pub fn embedded_type(&self) -> Option<&str> {
        self.embedded()
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
    }

    fn from_value(v: Value, nested: bool) -> Result<ObjectRef, String> {
        match v {
            Value::String(id) => Ok(ObjectRef::Id(id)),
            v @ Value::Object(_) => Ok(ObjectRef::Embedded(v)),
            Value::Array(items) if !nested => {
                if items.is_empty() {
                    return Err("the object is an empty list".into());
                }
                items
                    .into_iter()
                    .map(|item| ObjectRef::from_value(item, true))
                    .collect::<Result<Vec<_>, _>>()
                    .map(ObjectRef::Many)
            }
            other => Err(format!(
                "the object must be a URL, an object or a list of them, not {}",
                de::describe(&other)
            )),
        }
    }
}

impl Serialize for ObjectRef {
    /// Written in the shape it was read in: a URL, an object, or a list of them.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ObjectRef::Id(id) => s.serialize_str(id),
            ObjectRef::Embedded(v) => v.serialize(s),
            ObjectRef::Many(items) => items.serialize(s),
        }
    }
}

impl From<&str> for ObjectRef {
    fn from(id: &str) -> Self {
        ObjectRef::Id(id.to_string())
    }
}

impl From<String> for ObjectRef {
    fn from(id: String) -> Self {
        ObjectRef::Id(id)
    }
}

impl<'de> Deserialize<'de> for ObjectRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ObjectRef::from_value(Value::deserialize(d)?, false).map_err(serde::de::Error::custom)
    }
}

/// What every activity struct offers, so code can handle them generically.
pub trait Activity: serde::de::DeserializeOwned + Serialize {
    /// The type this struct reads.
    const KIND: ActivityKind;
    /// The activity's id.
    fn id(&self) -> &str;
    /// The `type` it was read with.
    fn kind(&self) -> ActivityKind;
    /// The actor's id, whether the actor was a URL or embedded.
    fn actor_id(&self) -> &str;
    /// The object.
    fn object(&self) -> &ObjectRef;
    /// Everyone it is addressed to: `to`, `cc` and `audience`.
    fn recipients(&self) -> Vec<&str>;
    /// Its addressing, field by field, for an activity addressed as another was.
    fn addressing(&self) -> Addressing;
    /// The same activity without `@context`, to embed in another that has it.
    fn without_context(self) -> Self;
}

/// Where an activity or object is addressed: `to`, `cc` and `audience`, each read as an
/// id whatever shape the sender gave it (a string, a list, embedded objects).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Addressing {
    /// Primary recipients.
    #[serde(default, deserialize_with = "de::ids")]
    pub to: Vec<String>,
    /// Secondary recipients.
    #[serde(default, deserialize_with = "de::ids")]
    pub cc: Vec<String>,
    /// The community it concerns.
    #[serde(default, deserialize_with = "de::optional_id")]
    pub audience: Option<String>,
}

impl Addressing {
    /// The addressing of any document; one whose addressing cannot be read addresses no
    /// one (and so is not public).
    pub fn of(doc: &Value) -> Addressing {
        Addressing::deserialize(doc).unwrap_or_default()
    }

    /// Everyone named in `to` and `cc`.
    pub fn named(&self) -> impl Iterator<Item = &str> {
        self.to.iter().chain(&self.cc).map(String::as_str)
    }

    /// Whether it is addressed to the public.
    pub fn is_public(&self) -> bool {
        self.named().any(super::objects::is_public_address)
    }
}

/// Reads `doc` as activity `T`, refusing a document whose `type` is not `T`'s: the structs
/// share their fields, so without the check a `Like` would read as a `Follow`.
pub fn parse<T: Activity>(doc: &Value) -> Result<T, serde_json::Error> {
    let activity = T::deserialize(doc)?;
    if activity.kind() != T::KIND {
        return Err(serde::de::Error::custom(format!(
            "expected a {}, got a {}",
            T::KIND.as_str(),
            activity.kind().as_str()
        )));
    }
    Ok(activity)
}

/// Declares an activity struct: the fields all activities share, then its own, and
/// `new`, which sets the id, actor and object and leaves everything else empty. Add and
/// Remove need a target, so they are declared `@without_new` and built in
/// [`super::outgoing`].
macro_rules! activity {
    (
        @without_new
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The JSON-LD context; copse sets it on what it sends, and leaves it out of
            /// an activity embedded in another.
            #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
            pub context: Option<Value>,
            /// The activity's id; copse uses it to drop duplicates.
            pub id: String,
            #[doc = concat!("The `type`; [`parse`] makes sure it is `", stringify!($name), "`.")]
            #[serde(rename = "type")]
            pub kind: ActivityKind,
            /// Who did it.
            pub actor: Reference,
            /// What it was done to.
            pub object: ObjectRef,
            /// Primary recipients.
            #[serde(default, deserialize_with = "de::ids", skip_serializing_if = "Vec::is_empty")]
            pub to: Vec<String>,
            /// Secondary recipients.
            #[serde(default, deserialize_with = "de::ids", skip_serializing_if = "Vec::is_empty")]
            pub cc: Vec<String>,
            /// The community it concerns (FEP-1b12).
            #[serde(
                default,
                deserialize_with = "de::optional_id",
                skip_serializing_if = "Option::is_none"
            )]
            pub audience: Option<String>,
            /// When it happened, when given.
            #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser::timestamp")]
            pub published: Option<Timestamp>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl Activity for $name {
            const KIND: ActivityKind = ActivityKind::$name;
            fn id(&self) -> &str {
                &self.id
            }
            fn kind(&self) -> ActivityKind {
                self.kind
            }
            fn actor_id(&self) -> &str {
                &self.actor.id
            }
            fn object(&self) -> &ObjectRef {
                &self.object
            }
            fn recipients(&self) -> Vec<&str> {
                self.to
                    .iter()
                    .chain(&self.cc)
                    .map(String::as_str)
                    .chain(self.audience.as_deref())
                    .collect()
            }
            fn addressing(&self) -> Addressing {
                Addressing {
                    to: self.to.clone(),
                    cc: self.cc.clone(),
                    audience: self.audience.clone(),
                }
            }
            fn without_context(self) -> Self {
                $name {
                    context: None,
                    ..self
                }
            }
        }

        impl $name {
            /// Addressed as `addressing` says.
            pub fn addressed(self, addressing: Addressing) -> Self {
                $name {
                    to: addressing.to,
                    cc: addressing.cc,
                    audience: addressing.audience,
                    ..self
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        activity! {
            @without_new
            $(#[$meta])*
            $name {
                $( $(#[$fmeta])* $field : $ty ),*
            }
        }

        impl $name {
            /// The activity `id` of `actor` on `object`, with the ActivityStreams context
            /// and nothing else set.
            pub fn new(
                id: impl Into<String>,
                actor: impl Into<Reference>,
                object: impl Into<ObjectRef>,
            ) -> Self {
                $name {
                    context: Some(Value::from(super::AS_CONTEXT)),
                    id: id.into(),
                    kind: ActivityKind::$name,
                    actor: actor.into(),
                    object: object.into(),
                    to: Vec::new(),
                    cc: Vec::new(),
                    audience: None,
                    published: None,
                    $( $field: Default::default(), )*
                }
            }
        }
    };
}

activity! {
    /// Ask to follow an actor; the object is the actor's id.
    Follow {}
}

activity! {
    /// Accept a Follow or a Join; the object is that activity, embedded or by id.
    Accept {}
}

activity! {
    /// Refuse a Follow or a Join.
    Reject {}
}

activity! {
    /// Take back an activity: a Follow, a vote, a Delete, a Block, a Lock.
    Undo {}
}

activity! {
    /// Publish an object, embedded.
    Create {
        /// Mentions, so that the mentioned are notified.
        #[serde(default, deserialize_with = "de::one_or_many", skip_serializing_if = "Vec::is_empty")]
        tag: Vec<Tag>,
    }
}

activity! {
    /// Edit an object or an actor, embedded in its new state.
    Update {
        /// Mentions in the edited object.
        #[serde(default, deserialize_with = "de::one_or_many", skip_serializing_if = "Vec::is_empty")]
        tag: Vec<Tag>,
    }
}

activity! {
    /// Delete an object or an account. Lemmy also sends a moderator's removal this way,
    /// with a reason in `summary`.
    Delete {
        /// The reason, for a moderator's removal.
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
        /// Also delete everything the account made (Lemmy).
        #[serde(skip_serializing_if = "Option::is_none")]
        remove_data: Option<bool>,
    }
}

activity! {
    /// Upvote or favourite.
    Like {}
}

activity! {
    /// Downvote.
    Dislike {}
}

activity! {
    /// Share. A community announces everything posted to it, embedded.
    Announce {}
}

activity! {
    /// Report one or more objects to moderators.
    Flag {
        /// The reporter's comment (Mastodon, mbin).
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        /// The reason (Lemmy, mbin).
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    }
}

activity! {
    @without_new
    /// Add to a collection: a moderator to a community's moderators, a post to its
    /// featured posts.
    Add {
        /// The collection added to.
        target: Reference,
    }
}

activity! {
    @without_new
    /// Remove from a collection.
    Remove {
        /// The collection removed from.
        target: Reference,
    }
}

activity! {
    /// Ban an account from a community (`target`) or an instance.
    Block {
        /// Where the ban applies; absent for an instance ban.
        #[serde(default, deserialize_with = "de::first", skip_serializing_if = "Option::is_none")]
        target: Option<Reference>,
        /// The reason.
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
        /// Also remove what the account made.
        #[serde(skip_serializing_if = "Option::is_none")]
        remove_data: Option<bool>,
        /// When the ban ends; absent for a permanent ban.
        #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser::timestamp")]
        expires: Option<Timestamp>,
    }
}

activity! {
    /// Lock a post against new comments.
    Lock {
        /// The reason.
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    }
}

activity! {
    /// Take part in an event or a group.
    Join {
        /// A message to the organizers (Mobilizon).
        #[serde(skip_serializing_if = "Option::is_none")]
        participation_message: Option<String>,
        /// The answers to the community's questions (copse).
        #[serde(default, deserialize_with = "de::lenient", skip_serializing_if = "Option::is_none")]
        answers: Option<Vec<ApplicationAnswer>>,
        /// Whether the applicant accepted the community's rules (copse).
        #[serde(default, deserialize_with = "de::lenient", skip_serializing_if = "Option::is_none")]
        rules_accepted: Option<bool>,
        /// The invite code the applicant was given (copse).
        #[serde(default, deserialize_with = "de::lenient", skip_serializing_if = "Option::is_none")]
        invite: Option<String>,
    }
}

activity! {
    /// Stop taking part in an event or a group.
    Leave {}
}

activity! {
    /// Invite an actor (`target`) to an event or a group (`object`).
    Invite {
        /// Who is invited.
        #[serde(default, deserialize_with = "de::first", skip_serializing_if = "Option::is_none")]
        target: Option<Reference>,
        /// The code to give back in the `Join` (copse).
        #[serde(default, deserialize_with = "de::lenient", skip_serializing_if = "Option::is_none")]
        invite: Option<String>,
    }
}

activity! {
    /// A moderator warns a person (`to`) about what they wrote (`object`), in a community
    /// (`audience`), for a reason (`summary`).
    Warn {
        #[serde(default, deserialize_with = "de::lenient", skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    }
}

/// An answer to one of a community's questions, in an application to join.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ApplicationAnswer {
    /// The question, by its key.
    pub question: String,
    /// What the applicant wrote.
    pub answer: String,
}
