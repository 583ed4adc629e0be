//! Collections as other servers serve them: outboxes, followers, moderators, featured
//! posts, and the pages of a long collection.
//!
//! Items stay JSON: an outbox holds activities, a moderators list holds actor ids, featured
//! posts hold objects, and each is read with its own type (or [`super::classify`]) by the
//! code that asked for the collection.

use serde::Deserialize;
use serde_json::Value;

use super::activities::ObjectRef;
use super::objects::de;

/// The collection types copse recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// The collection's (or page's) id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: CollectionKind,
    /// How many items the whole collection has. Lemmy shows followers only as a count:
    /// `totalItems` with empty `items`.
    pub total_items: Option<u64>,
    /// Items of an ordered collection, newest first.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub ordered_items: Vec<Value>,
    /// Items of an unordered collection.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub items: Vec<Value>,
    /// The first page, by id or embedded (Mastodon embeds it).
    pub first: Option<ObjectRef>,
    /// The last page.
    pub last: Option<ObjectRef>,
    /// For a page: the next page.
    pub next: Option<ObjectRef>,
    /// For a page: the previous page.
    pub prev: Option<ObjectRef>,
    /// For a page: the collection it belongs to.
    #[serde(default, deserialize_with = "de::optional_id")]
    pub part_of: Option<String>,
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
        if self.ordered_items.is_empty() {
            &self.items
        } else {
            &self.ordered_items
        }
    }
}
