//! Erasing what a person left behind when their account goes, whether it was an account
//! here or an actor on another server that sent `Delete` of itself.

use crate::db::footprint::{self, Person};
use crate::db::{DbConnection, comments, posts};
use crate::error::Result;

/// Inside the caller's transaction: the person's posts and comments become Tombstones, their
/// votes are withdrawn (and the totals counted again), their follows and memberships end.
pub(crate) fn erase_footprint(c: &mut DbConnection, person: Person) -> Result<()> {
    for id in footprint::live_posts(c, person)? {
        posts::mark_deleted(c, id)?;
    }
    for id in footprint::live_comments(c, person)? {
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
