//! Outboxes and the featured collection, built from stored posts.
//!
//! A community's outbox holds `Announce(Create(Page))`, newest first, as Lemmy publishes it,
//! so that a server following the community for the first time can backfill its latest
//! posts. The first page is inlined (`orderedItems`, which Lemmy reads) and `first`/`next`
//! page through the rest (`?page=N`, 20 per page).

use serde_json::Value;

use super::objects::PUBLIC;
use super::objects::page::page;
use super::protocol::activities::{Activity, Addressing, Announce, Create, ObjectRef};
use super::protocol::collections::{Collection, CollectionKind};
use super::protocol::outgoing::to_json;
use crate::db::posts::PostRow;
use crate::db::{DbConnection, posts};
use crate::discussions::views::{self, Here};
use crate::error::Result;

pub const PAGE_SIZE: i64 = 20;

/// The `Create` of a post, at an id derived from the post's: an outbox is rebuilt from
/// the posts, not from the activities sent. Items of a collection carry no `@context`.
fn create_of(post: &PostRow, author: &str, community: &str) -> Result<Create> {
    let page = ObjectRef::embed(&page(post, author, community))?;
    Ok(Create::new(format!("{}/create", post.ap_id), author, page)
        .without_context()
        .addressed(Addressing::community(community)))
}

/// A page of a local community's outbox. `page` is 1-based; `None` is the collection
/// itself with the first page inlined.
pub fn community_outbox(
    conn: &mut DbConnection,
    here: &Here,
    community_id: i64,
    community: &str,
    page_number: Option<i64>,
) -> Result<Value> {
    let number = page_number.unwrap_or(1).max(1);
    let (rows, total) =
        posts::outbox_page(conn, community_id, (number - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let author = views::author_ap_id(conn, here, row.author_user_id, row.author_remote_id)?
            .unwrap_or_default();
        let announce = Announce {
            to: vec![PUBLIC.to_string()],
            cc: vec![format!("{community}/followers")],
            ..Announce::new(
                format!("{}/announce", row.ap_id),
                community,
                ObjectRef::embed(&create_of(row, &author, community)?)?,
            )
        };
        items.push(to_json(&announce.without_context())?);
    }
    paged(
        &format!("{community}/outbox"),
        total,
        number,
        page_number.is_some(),
        items,
    )
}

/// A page of a local person's outbox: `Create(Page)` of their posts.
pub fn person_outbox(
    conn: &mut DbConnection,
    here: &Here,
    user_id: i64,
    person: &str,
    page_number: Option<i64>,
) -> Result<Value> {
    let number = page_number.unwrap_or(1).max(1);
    let (rows, total) = posts::author_page(conn, user_id, (number - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let (_, community) = views::community_of(conn, here, row)?;
        items.push(to_json(&create_of(row, person, &community)?)?);
    }
    paged(
        &format!("{person}/outbox"),
        total,
        number,
        page_number.is_some(),
        items,
    )
}

/// The pinned posts of a local community, as `Page`s (Lemmy's `featured`).
pub fn featured(
    conn: &mut DbConnection,
    here: &Here,
    community_id: i64,
    community: &str,
) -> Result<Value> {
    let rows = posts::pinned(conn, community_id)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let author = views::author_ap_id(conn, here, row.author_user_id, row.author_remote_id)?
            .unwrap_or_default();
        items.push(to_json(&page(row, &author, community))?);
    }
    let total = items.len() as u64;
    to_json(&Collection::ordered(
        format!("{community}/featured"),
        total,
        Some(items),
    ))
}

fn paged(id: &str, total: i64, number: i64, is_page: bool, items: Vec<Value>) -> Result<Value> {
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let at_page = |n: i64| ObjectRef::Id(format!("{id}?page={n}"));
    let count = u64::try_from(total).unwrap_or(0);
    if is_page {
        let mut page = Collection::ordered(format!("{id}?page={number}"), count, Some(items));
        page.kind = CollectionKind::OrderedCollectionPage;
        page.part_of = Some(id.to_string());
        page.next = (number < pages).then(|| at_page(number + 1));
        page.prev = (number > 1).then(|| at_page(number - 1));
        return to_json(&page);
    }
    let mut collection = Collection::ordered(id.to_string(), count, Some(items));
    if total > 0 {
        collection.first = Some(at_page(1));
        collection.last = Some(at_page(pages.max(1)));
    }
    to_json(&collection)
}
