//! Conversations: messages grouped by their thread key (the root of
//! References, else In-Reply-To, else the Message-ID), newest thread first.

use rusqlite::params;

use super::messages::{ROW_COLUMNS, row_from};
use super::{MessageRow, Result, Store};

/// The newest message of a thread, with the thread's size.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ThreadHead {
    pub row: MessageRow,
    /// Messages of the thread in the folder (1 for a lone message).
    pub count: u32,
    /// Unread messages of the thread in the folder.
    pub unread: u32,
}

impl Store {
    /// Number of threads in a folder (or in all folders).
    pub fn thread_count(&self, folder_id: Option<i64>) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(DISTINCT thread_key) FROM messages WHERE (?1 IS NULL OR folder_id = ?1)",
            params![folder_id],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Threads of a folder (or of all folders), by their newest message, newest first.
    pub fn list_threads(
        &self,
        folder_id: Option<i64>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ThreadHead>> {
        let sql = format!(
            "WITH t AS (
                SELECT id, count(*) OVER w AS n, sum(seen = 0) OVER w AS u,
                       row_number() OVER (PARTITION BY thread_key ORDER BY date DESC, id DESC) AS rn
                FROM messages WHERE (?1 IS NULL OR folder_id = ?1)
                WINDOW w AS (PARTITION BY thread_key))
             SELECT {ROW_COLUMNS}, t.n, t.u FROM t JOIN messages m ON m.id = t.id
             WHERE t.rn = 1
             ORDER BY m.date DESC, m.id DESC LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![folder_id, limit, offset], |r| {
            Ok(ThreadHead {
                row: row_from(r)?,
                count: r.get(16)?,
                unread: r.get(17)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The messages of one thread in a folder (or in all folders), newest first.
    pub fn thread_messages(
        &self,
        folder_id: Option<i64>,
        thread_key: &str,
    ) -> Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM messages m
             WHERE m.thread_key = ?2 AND (?1 IS NULL OR m.folder_id = ?1)
             ORDER BY m.date DESC, m.id DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![folder_id, thread_key], row_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Flag, StoreKey};

    fn mail(id: &str, refs: &str, date: &str, subject: &str) -> Vec<u8> {
        format!(
            "Message-ID: <{id}>\r\n{refs}Date: {date}\r\nFrom: a@b.mssante.fr\r\nSubject: {subject}\r\n\r\ntext\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn threads_group_replies_under_their_newest_message() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
        let f = s.ensure_folder(None, "INBOX", None).unwrap();
        let seen = Flag {
            seen: true,
            ..Flag::default()
        };
        let put = |raw: Vec<u8>, flags| s.insert_raw(f, &raw, flags, None).unwrap();
        put(
            mail("a@x", "", "Mon, 2 Nov 2026 08:00:00 +0000", "Avis"),
            seen,
        );
        let lone = put(
            mail("b@x", "", "Mon, 2 Nov 2026 09:00:00 +0000", "Seul"),
            seen,
        );
        let reply = put(
            mail(
                "c@x",
                "In-Reply-To: <a@x>\r\nReferences: <a@x>\r\n",
                "Mon, 2 Nov 2026 10:00:00 +0000",
                "Re: Avis",
            ),
            Flag::default(),
        );
        assert_eq!(s.thread_count(Some(f)).unwrap(), 2);
        let heads = s.list_threads(Some(f), 10, 0).unwrap();
        assert_eq!(heads.len(), 2);
        assert_eq!(
            heads[0].row.id, reply,
            "the thread shows its newest message"
        );
        assert_eq!((heads[0].count, heads[0].unread), (2, 1));
        assert_eq!((heads[1].row.id, heads[1].count), (lone, 1));
        let members = s
            .thread_messages(Some(f), &heads[0].row.thread_key)
            .unwrap();
        let subjects: Vec<_> = members.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(subjects, ["Re: Avis", "Avis"]);
        assert_eq!(s.list_threads(Some(f), 10, 1).unwrap().len(), 1);
    }
}
