//! Queries on `local_names`: the one namespace of local people and communities.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::local_names;

/// What a local name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Person,
    Community,
}

impl NameKind {
    fn as_str(self) -> &'static str {
        match self {
            NameKind::Person => "person",
            NameKind::Community => "community",
        }
    }
}

/// Claims `name`; fails with a unique violation if a person or community already has it.
pub fn claim(conn: &mut DbConnection, name: &str, kind: NameKind) -> QueryResult<usize> {
    diesel::insert_into(local_names::table)
        .values((
            local_names::name.eq(name),
            local_names::kind.eq(kind.as_str()),
        ))
        .execute(conn)
}

/// Who holds `name`, if anyone.
pub fn holder(conn: &mut DbConnection, name: &str) -> QueryResult<Option<NameKind>> {
    let kind: Option<String> = local_names::table
        .find(name)
        .select(local_names::kind)
        .first(conn)
        .optional()?;
    Ok(kind.map(|k| {
        if k == "community" {
            NameKind::Community
        } else {
            NameKind::Person
        }
    }))
}

pub fn release(conn: &mut DbConnection, name: &str) -> QueryResult<usize> {
    diesel::delete(local_names::table.find(name)).execute(conn)
}
