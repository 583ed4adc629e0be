//! Building what copse sends from the wire types it reads: the few constructors the
//! activity structs' `new` does not cover, the addressing copse uses in a community, and
//! the step from a typed document to the JSON the delivery queue stores.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::activities::{ActivityKind, Add, Addressing, ObjectRef, Remove};
use super::objects::{ObjectKind, Reference, Timestamp, Tombstone};
use super::{AS_CONTEXT, PUBLIC};
use crate::error::{Error, Result};

/// The JSON of a document copse sends. Serializing these types cannot fail on their own
/// data (every key is a string); an error would be a bug, reported as internal.
pub fn to_json<T: Serialize>(doc: &T) -> Result<Value> {
    serde_json::to_value(doc).map_err(Error::internal)
}

/// A stored time (UTC) as a wire timestamp.
pub fn at(t: NaiveDateTime) -> Timestamp {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc).fixed_offset()
}

impl ObjectRef {
    /// `doc`, embedded.
    pub fn embed<T: Serialize>(doc: &T) -> Result<ObjectRef> {
        Ok(ObjectRef::Embedded(to_json(doc)?))
    }
}

impl Addressing {
    /// What happens in a community, as Lemmy addresses it (FEP-1b12): to the public, cc
    /// and audience the community.
    pub fn community(community: &str) -> Addressing {
        Addressing {
            to: vec![PUBLIC.to_string()],
            cc: vec![community.to_string()],
            audience: Some(community.to_string()),
        }
    }

    /// To these actors only.
    pub fn to(actors: &[&str]) -> Addressing {
        Addressing {
            to: actors.iter().map(|a| a.to_string()).collect(),
            ..Addressing::default()
        }
    }
}

impl Add {
    /// `actor` adds `object` to the collection `target`.
    pub fn new(id: impl Into<String>, actor: &str, object: &str, target: String) -> Add {
        Add {
            context: Some(Value::from(AS_CONTEXT)),
            id: id.into(),
            kind: ActivityKind::Add,
            actor: actor.into(),
            object: object.into(),
            to: Vec::new(),
            cc: Vec::new(),
            audience: None,
            published: None,
            target: Reference::from(target),
        }
    }
}

impl Remove {
    /// `actor` removes `object` from the collection `target`.
    pub fn new(id: impl Into<String>, actor: &str, object: &str, target: String) -> Remove {
        Remove {
            context: Some(Value::from(AS_CONTEXT)),
            id: id.into(),
            kind: ActivityKind::Remove,
            actor: actor.into(),
            object: object.into(),
            to: Vec::new(),
            cc: Vec::new(),
            audience: None,
            published: None,
            target: Reference::from(target),
        }
    }
}

impl Tombstone {
    /// What the deleted object `id`, once a `former_type`, is served as.
    pub fn new(id: &str, former_type: &str) -> Tombstone {
        Tombstone {
            kind: ObjectKind::Tombstone,
            id: id.to_string(),
            former_type: Some(former_type.to_string()),
            deleted: None,
        }
    }
}
