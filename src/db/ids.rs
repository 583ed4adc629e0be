//! Row ids taken before the row is written, so that a row whose public id contains its own
//! row id (`/post/17`) is inserted whole in one statement, never under a draft id first.
//!
//! PostgreSQL hands out the identity sequence's next value; SQLite (whose writes are
//! serialized) the next value of its AUTOINCREMENT counter, which never goes back, so an id
//! of a purged row is never given again.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DbConnection;

/// The tables whose ids are taken ahead.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Posts,
    Comments,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Posts => "posts",
            Table::Comments => "comments",
        }
    }
}

#[derive(QueryableByName)]
struct NextId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The id the next row of `table` gets. Call inside the write transaction that inserts it.
pub fn next(conn: &mut DbConnection, table: Table) -> QueryResult<i64> {
    let name = table.name();
    let query = match conn {
        DbConnection::Postgres(_) => {
            format!("SELECT nextval(pg_get_serial_sequence('{name}', 'id')) AS id")
        }
        DbConnection::Sqlite(_) => format!(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{name}'), 0), \
             COALESCE((SELECT MAX(id) FROM {name}), 0)) + 1 AS id"
        ),
    };
    let row: NextId = diesel::sql_query(query).get_result(conn)?;
    Ok(row.id)
}
