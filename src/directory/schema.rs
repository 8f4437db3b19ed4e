//! The directory database's migrations, and the shape of the tables an import
//! fills before swapping them in.

use crate::store::migrate::Migration;

/// The directory database's migrations, in order. Append only.
pub const DIRECTORY_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "directory",
        sql: include_str!("migrations/0001_directory.sql"),
    },
    Migration {
        version: 2,
        name: "data in its own file",
        sql: include_str!("migrations/0002_data_file.sql"),
    },
];

/// The tables and indexes of a data file.
pub const DATA_SCHEMA: &str = include_str!("data_schema.sql");

/// Format of the data files this program writes and reads (their
/// `user_version`). A data file of another format is not read: import again.
pub const DATA_FORMAT: u32 = 1;

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

/// The data file's tables, and its indexes (built after the rows are in).
pub fn data_tables() -> (String, String) {
    let code: String = DATA_SCHEMA
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (mut tables, mut indexes) = (String::new(), String::new());
    for stmt in code.split(';').map(str::trim).filter(|s| !s.is_empty()) {
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
    fn data_tables_and_indexes_are_split() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let (tables, indexes) = data_tables();
        conn.execute_batch(&tables).unwrap();
        let count = |kind: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name LIKE 'entry%'",
                [kind],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(count("index"), 0);
        conn.execute_batch(&indexes).unwrap();
        assert_eq!(count("index"), 3);
        for t in ["entry", "vocab"] {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 0);
        }
        // The index keeps neither the text nor the column sizes: it is only
        // searched, never scanned.
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM entry_fts WHERE entry_fts MATCH 'kind : per'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }
}
