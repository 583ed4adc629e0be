//! The schema of a migrated database, read back from the database itself and written in a
//! backend-neutral form, so the SQLite and PostgreSQL migration sets can be compared.

use std::collections::BTreeSet;

use copse::config::DatabaseUrl;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = BigInt)]
    is_unique: i64,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Text)]
    columns: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    ref_column: String,
    #[diesel(sql_type = Text)]
    delete_rule: String,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Bool)]
    pk: bool,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Text)]
    columns: String,
}

fn type_family(t: &str) -> String {
    let t = t.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int" | "smallint" | "int8" | "int4" => "integer".into(),
        "text" | "character varying" | "varchar" => "text".into(),
        "boolean" | "bool" => "boolean".into(),
        "timestamp" | "timestamp without time zone" => "timestamp".into(),
        "blob" | "bytea" => "binary".into(),
        "double precision" | "real" | "double" | "float" => "float".into(),
        other => other.into(),
    }
}

fn column_line(table: &str, column: &str, ty: &str, not_null: bool, pk: bool) -> String {
    // An INTEGER PRIMARY KEY is never null in SQLite even though it is not declared so.
    let null = if not_null || pk { "not null" } else { "null" };
    let pk = if pk { " primary key" } else { "" };
    format!("column {table}.{column} {} {null}{pk}", type_family(ty))
}

/// The schema of the migrated database at `url`, one fact per line, sorted.
pub fn describe(url: &DatabaseUrl) -> Vec<String> {
    let mut facts = BTreeSet::new();
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut c = SqliteConnection::establish(&path.to_string_lossy()).expect("open sqlite");
            // The pool may still be closing its connections (a WAL checkpoint): wait, not fail.
            diesel::connection::SimpleConnection::batch_execute(
                &mut c,
                "PRAGMA busy_timeout = 10000",
            )
            .expect("busy timeout");
            let filter = "m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'";
            let cols: Vec<SqliteColumn> = diesel::sql_query(format!(
                "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
                 p.\"notnull\" AS not_null, p.pk AS pk \
                 FROM sqlite_master m, pragma_table_info(m.name) p WHERE {filter}"
            ))
            .load(&mut c)
            .expect("sqlite columns");
            for col in cols {
                facts.insert(column_line(
                    &col.table_name,
                    &col.column_name,
                    &col.data_type,
                    col.not_null != 0,
                    col.pk != 0,
                ));
            }
            let idx: Vec<SqliteIndex> = diesel::sql_query(format!(
                "SELECT m.name AS table_name, il.name AS index_name, il.\"unique\" AS is_unique, \
                 il.origin AS origin, \
                 (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) AS columns \
                 FROM sqlite_master m, pragma_index_list(m.name) il WHERE {filter}"
            ))
            .load(&mut c)
            .expect("sqlite indexes");
            for i in idx {
                match (i.origin.as_str(), i.is_unique != 0) {
                    ("pk", _) => {}
                    (_, true) => {
                        facts.insert(format!("unique {}({})", i.table_name, i.columns));
                    }
                    (_, false) => {
                        facts.insert(format!(
                            "index {} on {}({})",
                            i.index_name, i.table_name, i.columns
                        ));
                    }
                }
            }
            let fks: Vec<ForeignKey> = diesel::sql_query(format!(
                "SELECT m.name AS table_name, f.\"from\" AS column_name, f.\"table\" AS ref_table, \
                 f.\"to\" AS ref_column, f.on_delete AS delete_rule \
                 FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE {filter}"
            ))
            .load(&mut c)
            .expect("sqlite foreign keys");
            for fk in fks {
                facts.insert(fk_line(&fk));
            }
        }
        DatabaseUrl::Postgres(url) => {
            let mut c = PgConnection::establish(url).expect("connect postgres");
            let cols: Vec<PgColumn> = diesel::sql_query(
                "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                 c.data_type::text AS data_type, (c.is_nullable = 'NO') AS not_null, \
                 EXISTS (SELECT 1 FROM information_schema.table_constraints tc \
                   JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name \
                   AND k.table_schema = tc.table_schema \
                   WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' \
                   AND k.table_name = c.table_name AND k.column_name = c.column_name) AS pk \
                 FROM information_schema.columns c \
                 WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations'",
            )
            .load(&mut c)
            .expect("postgres columns");
            for col in cols {
                facts.insert(column_line(
                    &col.table_name,
                    &col.column_name,
                    &col.data_type,
                    col.not_null,
                    col.pk,
                ));
            }
            let idx: Vec<PgIndex> = diesel::sql_query(
                "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                 ix.indisunique AS is_unique, ix.indisprimary AS is_primary, \
                 array_to_string(array_agg(a.attname::text ORDER BY array_position(ix.indkey::int2[], a.attnum)), ',') AS columns \
                 FROM pg_class t JOIN pg_index ix ON t.oid = ix.indrelid \
                 JOIN pg_class i ON i.oid = ix.indexrelid \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey) \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = 'public' AND t.relkind = 'r' AND t.relname <> '__diesel_schema_migrations' \
                 GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary",
            )
            .load(&mut c)
            .expect("postgres indexes");
            for i in idx {
                match (i.is_primary, i.is_unique) {
                    (true, _) => {}
                    (false, true) => {
                        facts.insert(format!("unique {}({})", i.table_name, i.columns));
                    }
                    (false, false) => {
                        facts.insert(format!(
                            "index {} on {}({})",
                            i.index_name, i.table_name, i.columns
                        ));
                    }
                }
            }
            let fks: Vec<ForeignKey> = diesel::sql_query(
                "SELECT tc.table_name::text AS table_name, kcu.column_name::text AS column_name, \
                 ccu.table_name::text AS ref_table, ccu.column_name::text AS ref_column, \
                 rc.delete_rule::text AS delete_rule \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
                 JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                 JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name AND rc.constraint_schema = tc.table_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'",
            )
            .load(&mut c)
            .expect("postgres foreign keys");
            for fk in fks {
                facts.insert(fk_line(&fk));
            }
        }
    }
    facts.into_iter().collect()
}

fn fk_line(fk: &ForeignKey) -> String {
    format!(
        "foreign key {}.{} -> {}.{} on delete {}",
        fk.table_name,
        fk.column_name,
        fk.ref_table,
        fk.ref_column,
        fk.delete_rule.to_ascii_lowercase()
    )
}
