//! Erasing what a person left behind when their account goes, whether it was an account
//! here or an actor on another server that sent `Delete` of itself.

use crate::db::footprint::{self, Person};
use crate::db::{Database, DbConnection, comments, posts};
use crate::error::Result;

/// Posts or comments made Tombstones per transaction by [`tombstone_in_batches`].
const BATCH: i64 = 500;

/// Before the transaction of [`erase_footprint`]: the person's posts, then comments, become
/// Tombstones in batches, each its own short transaction, so a prolific account does not
/// hold the write lock for long. Stopped midway, what is done stays done and the rest is
/// done when the deletion is asked again.
pub(crate) async fn tombstone_in_batches(db: &Database, person: Person) -> Result<()> {
    loop {
        let done = db
            .transaction(move |c| {
                let ids = footprint::live_posts(c, person, BATCH)?;
                for id in &ids {
                    posts::mark_deleted(c, *id)?;
                }
                Ok(ids.len())
            })
            .await?;
        if done == 0 {
            break;
        }
    }
    loop {
        let done = db
            .transaction(move |c| {
                let ids = footprint::live_comments(c, person, BATCH)?;
                for id in &ids {
                    comments::mark_deleted(c, *id)?;
                }
                Ok(ids.len())
            })
            .await?;
        if done == 0 {
            return Ok(());
        }
    }
}

/// Inside the caller's transaction: the person's posts and comments become Tombstones, their
/// votes are withdrawn (and the totals counted again), their follows and memberships end.
pub(crate) fn erase_footprint(c: &mut DbConnection, person: Person) -> Result<()> {
    for id in footprint::live_posts(c, person, i64::MAX)? {
        posts::mark_deleted(c, id)?;
    }
    for id in footprint::live_comments(c, person, i64::MAX)? {
        comments::mark_deleted(c, id)?;
    }
    let mut voted = footprint::withdraw_votes(c, person)?;
    voted.sort_by_key(|v| match v {
        crate::db::votes::Voted::Post(id) => (0, *id),
        crate::db::votes::Voted::Comment(id) => (1, *id),
    });
    for target in voted {
        crate::discussions::votes::recount(c, target)?;
    }
    footprint::end_follows(c, person)?;
    footprint::end_memberships(c, person)?;
    Ok(())
}
