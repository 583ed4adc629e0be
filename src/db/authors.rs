//! The names of who wrote a row, read in the same query as the row: a left join on the
//! local account and one on the cached remote actor, so a page of posts or comments is one
//! query instead of one more per row.

use diesel::prelude::*;

use super::schema::{remote_actors, users};

/// Who wrote a row, as joined.
#[derive(Debug, Clone, Default, Queryable)]
pub struct AuthorNames {
    /// A local author's username.
    pub username: Option<String>,
    /// A remote author's `preferredUsername`, domain and actor id.
    pub remote_username: Option<String>,
    pub remote_domain: Option<String>,
    pub remote_ap_id: Option<String>,
}

/// The selection of [`AuthorNames`] from the two joined tables.
pub type Selection = (
    diesel::dsl::Nullable<users::username>,
    diesel::dsl::Nullable<remote_actors::username>,
    diesel::dsl::Nullable<remote_actors::domain>,
    diesel::dsl::Nullable<remote_actors::ap_id>,
);

pub fn selection() -> Selection {
    (
        users::username.nullable(),
        remote_actors::username.nullable(),
        remote_actors::domain.nullable(),
        remote_actors::ap_id.nullable(),
    )
}
