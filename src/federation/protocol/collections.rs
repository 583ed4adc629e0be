//! Collections as other servers serve them: outboxes, followers, moderators, featured
//! posts, and the pages of a long collection.
//!
//! Items stay JSON: an outbox holds activities, a moderators list holds actor ids, featured
//! posts hold objects, and each is read with its own type (or [`super::classify`]) by the
//! code that asked for the collection. The same struct is what copse serves its own
//! collections as.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::activities::ObjectRef;
use super::objects::de;

/// The collection types copse recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum CollectionKind {
    /// An unordered collection (Lemmy's followers).
    Collection,
    /// An ordered collection (outboxes, moderators, featured posts).
    OrderedCollection,
    /// One page of a collection.
    CollectionPage,
    /// One page of an ordered collection.
    OrderedCollectionPage,
}

impl CollectionKind {
    /// Every collection kind, in declaration order.
    pub const ALL: &'static [CollectionKind] = &[
        CollectionKind::Collection,
        CollectionKind::OrderedCollection,
        CollectionKind::CollectionPage,
        CollectionKind::OrderedCollectionPage,
    ];

    /// The ActivityStreams type name.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionKind::Collection => "Collection",
            CollectionKind::OrderedCollection => "OrderedCollection",
            CollectionKind::CollectionPage => "CollectionPage",
            CollectionKind::OrderedCollectionPage => "OrderedCollectionPage",
        }
    }

    /// The kind named by a `type` value, if copse recognizes it.
    pub fn from_type(name: &str) -> Option<CollectionKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// Whether it is a page of a collection rather than the collection.
    pub fn is_page(self) -> bool {
        matches!(
            self,
            CollectionKind::CollectionPage | CollectionKind::OrderedCollectionPage
        )
    }
}

/// A collection or a page of one. The four types share their fields closely enough that
/// one struct reads them all; [`CollectionKind`] says which it was.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// The JSON-LD context; set on what copse serves, ignored in what it reads.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The collection's (or page's) id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: CollectionKind,
    /// How many items the whole collection has. Lemmy shows followers only as a count:
    /// `totalItems` with empty `items`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items: Option<u64>,
    /// Items of an ordered collection, newest first. `None` when the collection does not
    /// list them (copse's followers), which is not the same as an empty list.
    #[serde(
        default,
        deserialize_with = "some_one_or_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub ordered_items: Option<Vec<Value>>,
    /// Items of an unordered collection.
    #[serde(
        default,
        deserialize_with = "some_one_or_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub items: Option<Vec<Value>>,
    /// The first page, by id or embedded (Mastodon embeds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<ObjectRef>,
    /// The last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<ObjectRef>,
    /// For a page: the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<ObjectRef>,
    /// For a page: the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<ObjectRef>,
    /// For a page: the collection it belongs to.
    #[serde(
        default,
        deserialize_with = "de::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub part_of: Option<String>,
}

fn some_one_or_many<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<Value>>, D::Error> {
    de::one_or_many(d).map(Some)
}

impl Collection {
    /// A collection copse serves: `OrderedCollection` `id` of `total_items`, listing
    /// `ordered_items` when given.
    pub fn ordered(id: String, total_items: u64, ordered_items: Option<Vec<Value>>) -> Collection {
        Collection {
            context: Some(Value::from(super::AS_CONTEXT)),
            id,
            kind: CollectionKind::OrderedCollection,
            total_items: Some(total_items),
            ordered_items,
            items: None,
            first: None,
            last: None,
            next: None,
            prev: None,
            part_of: None,
        }
    }
}

/// An ordered collection; the same fields as any collection.
pub type OrderedCollection = Collection;
/// A page of a collection; the same fields, with `next`, `prev` and `partOf` used.
pub type CollectionPage = Collection;
/// A page of an ordered collection.
pub type OrderedCollectionPage = Collection;

impl Collection {
    /// The items held here, whichever of `orderedItems` and `items` the server used.
    pub fn all_items(&self) -> &[Value] {
        match (&self.ordered_items, &self.items) {
            (Some(ordered), _) if !ordered.is_empty() => ordered,
            (_, Some(items)) => items,
            _ => &[],
        }
    }
}
