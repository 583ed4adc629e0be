//! What waits for a moderator or an admin: in each community they moderate, applications
//! to decide and reports to handle; for an admin, sign-ups to approve and the instance's
//! reports. Shown as one count in the header of every page they see, and in detail on their
//! moderation page.

use std::collections::HashMap;

use crate::accounts::User;
use crate::db::{DbConnection, waiting};
use crate::error::Result;

/// One community's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityQueue {
    pub name: String,
    pub title: String,
    pub applications: i64,
    pub reports: i64,
}

/// Everything waiting for one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waiting {
    /// The communities they moderate, by name, waiting or not.
    pub communities: Vec<CommunityQueue>,
    /// For an admin: accounts waiting for approval, and the instance's open reports.
    pub signups: i64,
    pub instance_reports: i64,
}

impl Waiting {
    /// How many things wait in all.
    pub fn total(&self) -> i64 {
        self.communities
            .iter()
            .map(|q| q.applications + q.reports)
            .sum::<i64>()
            + self.signups
            + self.instance_reports
    }

    /// Whether this person moderates anything here (and so has a moderation page).
    pub fn has_queues(&self) -> bool {
        !self.communities.is_empty()
    }
}

/// What waits for `user`.
pub fn of(c: &mut DbConnection, user: &User) -> Result<Waiting> {
    let moderated = waiting::moderated_by(c, user.id)?;
    let mut out = Waiting::default();
    if !moderated.is_empty() {
        let ids: Vec<i64> = moderated.iter().map(|(id, _, _)| *id).collect();
        let applications: HashMap<i64, i64> = waiting::pending_applications(c, &ids)?
            .into_iter()
            .filter_map(|(id, n)| id.map(|id| (id, n)))
            .collect();
        let reports: HashMap<i64, i64> = waiting::open_reports(c, &ids)?
            .into_iter()
            .filter_map(|(id, n)| id.map(|id| (id, n)))
            .collect();
        out.communities = moderated
            .into_iter()
            .map(|(id, name, title)| CommunityQueue {
                name,
                title,
                applications: applications.get(&id).copied().unwrap_or(0),
                reports: reports.get(&id).copied().unwrap_or(0),
            })
            .collect();
    }
    if user.is_admin {
        out.signups = waiting::pending_signups(c)?;
        out.instance_reports = waiting::open_instance_reports(c)?;
    }
    Ok(out)
}
