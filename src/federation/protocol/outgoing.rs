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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;
    use crate::federation::protocol::activities::{self, Block, Create};
    use crate::federation::protocol::objects::{ObjectFields, Page, Source};

    const COMMUNITY: &str = "https://a.example/c/nursing";

    fn noon() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 3, 1)
            .and_then(|d| d.and_hms_micro_opt(12, 0, 0, 120_000))
            .unwrap()
    }

    #[test]
    fn a_ban_copse_sends_reads_back_as_the_same_block() {
        let block = Block {
            target: Some(COMMUNITY.into()),
            summary: Some("Spam".into()),
            remove_data: Some(true),
            expires: Some(at(noon())),
            ..Block::new(
                "https://a.example/activities/block/1",
                "https://a.example/u/mira",
                "https://b.example/u/bob",
            )
        }
        .addressed(Addressing::community(COMMUNITY));
        let sent = to_json(&block).unwrap();
        assert_eq!(sent["target"], json!(COMMUNITY));
        assert_eq!(sent["expires"], json!("2025-03-01T12:00:00.120000Z"));
        assert_eq!(activities::parse::<Block>(&sent).unwrap(), block);
    }

    #[test]
    fn a_post_copse_sends_names_one_author_keeps_an_empty_cc_and_reads_back() {
        let page = Page {
            kind: ObjectKind::Page,
            fields: ObjectFields {
                id: "https://a.example/post/1".into(),
                attributed_to: vec!["https://a.example/u/ana".into()],
                to: vec![COMMUNITY.into(), PUBLIC.into()],
                name: Some("Audit".into()),
                source: Some(Source::markdown("*monthly*")),
                published: Some(at(noon())),
                ..ObjectFields::default()
            },
            comments_enabled: Some(true),
            stickied: None,
        };
        let sent = to_json(&page).unwrap();
        assert_eq!(sent["attributedTo"], json!("https://a.example/u/ana"));
        assert_eq!(sent["cc"], json!([]));
        assert!(sent.get("stickied").is_none() && sent.get("audience").is_none());
        assert_eq!(serde_json::from_value::<Page>(sent.clone()).unwrap(), page);

        // Embedded in its Create, without the Create's own context.
        let create = Create::new(
            "https://a.example/activities/create/1",
            "https://a.example/u/ana",
            ObjectRef::Embedded(sent.clone()),
        );
        let sent_create = to_json(&create).unwrap();
        assert_eq!(sent_create["@context"], json!(AS_CONTEXT));
        assert_eq!(sent_create["object"], sent);
        assert_eq!(activities::parse::<Create>(&sent_create).unwrap(), create);
    }
}
