//! The directory of communities a server lists: what a visitor browses and searches to
//! find where their practice is discussed.

use std::collections::HashMap;

use super::Community;
use crate::db::{Database, communities, memberships};
use crate::error::Result;

/// The most communities one server lists; a search narrows them.
const MOST: i64 = 2000;

/// A community as the directory lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub community: Community,
    pub members: i64,
}

/// The listed communities whose name, title or description holds every word of `search`
/// (case aside), most members first.
pub async fn directory(db: &Database, search: Option<&str>) -> Result<Vec<Listed>> {
    let words: Vec<String> = search
        .unwrap_or("")
        .split_whitespace()
        .take(8)
        .map(str::to_lowercase)
        .collect();
    let (rows, counts) = db
        .run(|c| {
            Ok((
                communities::discoverable(c, MOST)?,
                memberships::member_counts(c)?,
            ))
        })
        .await?;
    let counts: HashMap<i64, i64> = counts.into_iter().collect();
    let mut listed: Vec<Listed> = rows
        .into_iter()
        .filter(|c| {
            let text = format!(
                "{} {} {}",
                c.name,
                c.title,
                c.summary.as_deref().unwrap_or("")
            )
            .to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|community| Listed {
            members: counts.get(&community.id).copied().unwrap_or(0),
            community,
        })
        .collect();
    listed.sort_by(|a, b| {
        b.members
            .cmp(&a.members)
            .then_with(|| a.community.name.cmp(&b.community.name))
    });
    Ok(listed)
}
