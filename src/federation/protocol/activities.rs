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

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::objects::{Reference, Tag, Timestamp, de};

/// The activity types copse recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
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

impl<'de> Deserialize<'de> for ObjectRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ObjectRef::from_value(Value::deserialize(d)?, false).map_err(serde::de::Error::custom)
    }
}

/// What every activity struct offers, so code can handle them generically.
pub trait Activity: serde::de::DeserializeOwned {
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

/// Declares an activity struct: the fields all activities share, then its own.
macro_rules! activity {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
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
            #[serde(default, deserialize_with = "de::ids")]
            pub to: Vec<String>,
            /// Secondary recipients.
            #[serde(default, deserialize_with = "de::ids")]
            pub cc: Vec<String>,
            /// The community it concerns (FEP-1b12).
            #[serde(default, deserialize_with = "de::optional_id")]
            pub audience: Option<String>,
            /// When it happened, when given.
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
        #[serde(default, deserialize_with = "de::one_or_many")]
        tag: Vec<Tag>,
    }
}

activity! {
    /// Edit an object or an actor, embedded in its new state.
    Update {
        /// Mentions in the edited object.
        #[serde(default, deserialize_with = "de::one_or_many")]
        tag: Vec<Tag>,
    }
}

activity! {
    /// Delete an object or an account. Lemmy also sends a moderator's removal this way,
    /// with a reason in `summary`.
    Delete {
        /// The reason, for a moderator's removal.
        summary: Option<String>,
        /// Also delete everything the account made (Lemmy).
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
        content: Option<String>,
        /// The reason (Lemmy, mbin).
        summary: Option<String>,
    }
}

activity! {
    /// Add to a collection: a moderator to a community's moderators, a post to its
    /// featured posts.
    Add {
        /// The collection added to.
        target: Reference,
    }
}

activity! {
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
        #[serde(default, deserialize_with = "de::first")]
        target: Option<Reference>,
        /// The reason.
        summary: Option<String>,
        /// Also remove what the account made.
        remove_data: Option<bool>,
        /// When the ban ends; absent for a permanent ban.
        expires: Option<Timestamp>,
    }
}

activity! {
    /// Lock a post against new comments.
    Lock {
        /// The reason.
        summary: Option<String>,
    }
}

activity! {
    /// Take part in an event or a group.
    Join {
        /// A message to the organizers (Mobilizon).
        participation_message: Option<String>,
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
        #[serde(default, deserialize_with = "de::first")]
        target: Option<Reference>,
    }
}
