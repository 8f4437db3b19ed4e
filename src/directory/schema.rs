//! The directory database's migrations, and the shape of the tables an import
//! fills before swapping them in.

use crate::store::migrate::Migration;

/// The directory database's migrations, in order. Append only.
pub const DIRECTORY_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "directory",
    sql: include_str!("migrations/0001_directory.sql"),
}];

/// Order of the folded fields in `entry.norm` and of the FTS columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name = 0,
    Given = 1,
    Profession = 2,
    Specialty = 3,
    Organisation = 4,
    City = 5,
    Postcode = 6,
    Dept = 7,
    Kind = 8,
    Other = 9,
}

impl Field {
    /// Name of the FTS column.
    pub fn column(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Given => "given",
            Field::Profession => "profession",
            Field::Specialty => "specialty",
            Field::Organisation => "organisation",
            Field::City => "city",
            Field::Postcode => "postcode",
            Field::Dept => "dept",
            Field::Kind => "kind",
            Field::Other => "other",
        }
    }
}

pub const FIELD_COUNT: usize = 10;
const _: () = assert!(Field::Other as usize == FIELD_COUNT - 1);

/// Staging tables of an import: the same shape as `entry` and `entry_fts` in
/// migration 0001 (a test checks it). Index names carry the import generation
/// so that they never clash with the live table's.
pub fn staging_ddl(generation: i64) -> String {
    let migration = DIRECTORY_MIGRATIONS[0].sql;
    let start = migration.find("CREATE TABLE entry (").unwrap_or(0);
    let body = &migration[start..];
    body.replace("CREATE TABLE entry (", "CREATE TABLE entry_new (")
        .replace(" ON entry (", " ON entry_new (")
        .replace("_g0 ", &format!("_g{generation} "))
        .replace(
            "CREATE VIRTUAL TABLE entry_fts",
            "CREATE VIRTUAL TABLE entry_new_fts",
        )
        .replace("CREATE TABLE vocab (", "CREATE TABLE vocab_new (")
}

/// Staging tables without their indexes (built after the rows are in).
pub fn staging_tables(generation: i64) -> (String, String) {
    let ddl = staging_ddl(generation);
    let (mut tables, mut indexes) = (String::new(), String::new());
    for stmt in ddl.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let target = if stmt.starts_with("CREATE UNIQUE INDEX") || stmt.starts_with("CREATE INDEX")
        {
            &mut indexes
        } else {
            &mut tables
        };
        target.push_str(stmt);
        target.push_str(";\n");
    }
    (tables, indexes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_tables_have_the_live_shape() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::migrate::migrate(&mut conn, DIRECTORY_MIGRATIONS, None).unwrap();
        let (tables, indexes) = staging_tables(7);
        conn.execute_batch(&tables).unwrap();
        conn.execute_batch(&indexes).unwrap();
        let cols = |t: &str| -> Vec<(String, String)> {
            let mut s = conn.prepare(&format!("PRAGMA table_info({t})")).unwrap();
            s.query_map([], |r| Ok((r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(cols("entry"), cols("entry_new"));
        assert_eq!(cols("entry_fts"), cols("entry_new_fts"));
        assert_eq!(cols("vocab"), cols("vocab_new"));
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%_g7'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 3);
    }
}
