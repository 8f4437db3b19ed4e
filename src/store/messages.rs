//! Messages: envelope index, raw bodies (content-addressed blobs), attachments
//! and the searchable text.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store, StoreError, now};
use crate::mime::{self, AttachmentInfo, ParsedMessage};

/// Longest body text kept in the full-text index, in bytes.
const MAX_INDEXED_BODY: usize = 256 * 1024;

/// The IMAP system flags a message can carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flag {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub deleted: bool,
    pub draft: bool,
}

/// A message to add to a folder.
pub struct NewMessage<'a> {
    pub folder_id: i64,
    /// The raw message; `None` when only the headers are known yet (sync).
    pub raw: Option<&'a [u8]>,
    pub parsed: &'a ParsedMessage,
    /// Set when the message could not be parsed and is kept raw.
    pub parse_error: Option<String>,
    pub size: u64,
    pub flags: Flag,
    /// When it arrived (IMAP INTERNALDATE, mbox From line, Maildir time).
    pub received_at: Option<i64>,
}

/// One line of a message list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageRow {
    pub id: i64,
    pub folder_id: i64,
    pub subject: String,
    pub from_name: String,
    pub from_addr: String,
    pub date: i64,
    pub size: i64,
    pub flags: Flag,
    pub has_attachments: bool,
    pub has_body: bool,
    pub preview: String,
    pub thread_key: String,
}

/// A whole message, for reading.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredMessage {
    pub row: MessageRow,
    pub folder: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub to: String,
    pub cc: String,
    pub sender: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
    pub parse_error: Option<String>,
}

pub(super) const ROW_COLUMNS: &str = "m.id, m.folder_id, m.subject, m.from_name, m.from_addr, m.date, m.size, \
     m.seen, m.flagged, m.answered, m.deleted, m.draft, m.has_attachments, m.blob_hash IS NOT NULL, \
     m.preview, m.thread_key";

pub(super) fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        folder_id: r.get(1)?,
        subject: r.get(2)?,
        from_name: r.get(3)?,
        from_addr: r.get(4)?,
        date: r.get(5)?,
        size: r.get(6)?,
        flags: Flag {
            seen: r.get(7)?,
            flagged: r.get(8)?,
            answered: r.get(9)?,
            deleted: r.get(10)?,
            draft: r.get(11)?,
        },
        has_attachments: r.get(12)?,
        has_body: r.get(13)?,
        preview: r.get(14)?,
        thread_key: r.get(15)?,
    })
}

/// The content address of a raw message.
pub fn blob_hash(raw: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, raw))
}

impl Store {
    /// Add a message; returns its id. Call inside a transaction for batches.
    pub fn insert_message(&self, m: &NewMessage<'_>) -> Result<i64> {
        self.insert_message_hashed(m, m.raw.map(blob_hash))
    }

    /// Add a message whose raw content address was computed already (the
    /// import hashes on its parsing threads, off the writer's). `hash` must be
    /// [`blob_hash`] of `m.raw`.
    pub(crate) fn insert_message_hashed(
        &self,
        m: &NewMessage<'_>,
        hash: Option<String>,
    ) -> Result<i64> {
        let hash = match (m.raw, hash) {
            (Some(raw), Some(hash)) => Some(self.put_blob_hashed(raw, hash)?),
            (Some(raw), None) => Some(self.put_blob(raw)?),
            (None, _) => None,
        };
        self.insert_envelope(m, hash)
    }

    /// Add a message whose raw body the caller writes to the bodies file
    /// itself (an import's writing thread), committed before this store's
    /// transaction is. `hash` is [`blob_hash`] of `m.raw`.
    pub(crate) fn insert_message_body_apart(
        &self,
        m: &NewMessage<'_>,
        hash: String,
    ) -> Result<i64> {
        let size = m.raw.map_or(0, <[u8]>::len);
        self.link_body_apart(&hash, size)?;
        self.insert_envelope(m, Some(hash))
    }

    fn insert_envelope(&self, m: &NewMessage<'_>, hash: Option<String>) -> Result<i64> {
        let p = m.parsed;
        let received = m.received_at.unwrap_or_else(now);
        let date = p.date.unwrap_or(received);
        let from = p.from.first().cloned().unwrap_or_default();
        let thread_key = p
            .thread_key()
            .map(str::to_owned)
            .or_else(|| hash.clone())
            .unwrap_or_else(|| format!("local:{received}:{}", p.subject));
        self.conn
            .prepare_cached(
                "INSERT INTO messages (folder_id, blob_hash, rfc_message_id, in_reply_to, refs,
                    thread_key, subject, from_name, from_addr, sender_addr, to_list, cc_list,
                    date, received_at, size, seen, flagged, answered, deleted, draft,
                    has_attachments, preview, parse_error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
            )?
            .execute(params![
                m.folder_id,
                hash,
                p.message_id,
                p.in_reply_to,
                p.references.join(" "),
                thread_key,
                p.subject,
                from.name,
                from.address,
                p.sender
                    .as_ref()
                    .map(|s| s.address.clone())
                    .unwrap_or_default(),
                mime::display_list(&p.to),
                mime::display_list(&p.cc),
                date,
                received,
                m.size as i64,
                m.flags.seen,
                m.flags.flagged,
                m.flags.answered,
                m.flags.deleted,
                m.flags.draft,
                !p.attachments.is_empty(),
                p.preview(),
                m.parse_error,
            ])?;
        let id = self.conn.last_insert_rowid();
        self.put_attachments(id, &p.attachments)?;
        self.put_text(id, p, false)?;
        Ok(id)
    }

    /// Parse and add a raw message. One that cannot be parsed is kept raw, with
    /// the reason, never dropped.
    pub fn insert_raw(
        &self,
        folder_id: i64,
        raw: &[u8],
        flags: Flag,
        received_at: Option<i64>,
    ) -> Result<i64> {
        let (parsed, parse_error) = match mime::parse(raw) {
            Ok(p) => (p, None),
            Err(e) => (ParsedMessage::default(), Some(e.to_string())),
        };
        self.insert_message(&NewMessage {
            folder_id,
            raw: Some(raw),
            parsed: &parsed,
            parse_error,
            size: raw.len() as u64,
            flags,
            received_at: received_at.or(parsed.date),
        })
    }

    /// Store the raw body of a message known so far by its headers (sync's
    /// second pass), and index its text.
    pub fn set_body(&self, id: i64, raw: &[u8]) -> Result<()> {
        let hash = self.put_blob(raw)?;
        let parsed = mime::parse(raw).ok();
        let changed = self.conn.execute(
            "UPDATE messages SET blob_hash = ?2, has_attachments = ?3, preview = ?4 WHERE id = ?1",
            params![
                id,
                hash,
                parsed.as_ref().is_some_and(|p| !p.attachments.is_empty()),
                parsed
                    .as_ref()
                    .map(ParsedMessage::preview)
                    .unwrap_or_default()
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NoMessage(id));
        }
        if let Some(p) = parsed {
            self.conn
                .execute("DELETE FROM attachments WHERE message_id = ?1", [id])?;
            self.put_attachments(id, &p.attachments)?;
            self.put_text(id, &p, true)?;
        }
        Ok(())
    }

    fn put_blob(&self, raw: &[u8]) -> Result<String> {
        self.put_blob_hashed(raw, blob_hash(raw))
    }

    fn put_blob_hashed(&self, raw: &[u8], hash: String) -> Result<String> {
        debug_assert_eq!(hash, blob_hash(raw));
        match self.bodies() {
            Some(bodies) => {
                if !self.has_blob(&hash)? {
                    // The body first: a store row never points to a missing body.
                    bodies.put(&hash, raw)?;
                    self.link_body_apart(&hash, raw.len())?;
                }
            }
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO blobs (hash, size, data) VALUES (?1, ?2, ?3)
                         ON CONFLICT(hash) DO NOTHING",
                    )?
                    .execute(params![hash, raw.len() as i64, raw])?;
            }
        }
        Ok(hash)
    }

    fn has_blob(&self, hash: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1")?
            .exists([hash])?)
    }

    /// The store's row for a body kept in the bodies file. When the store
    /// holds that body inline already (from before the bodies file), the copy
    /// just written to the bodies file is queued for removal.
    fn link_body_apart(&self, hash: &str, size: usize) -> Result<()> {
        let added = self
            .conn
            .prepare_cached(
                "INSERT INTO blobs (hash, size, data, apart) VALUES (?1, ?2, x'', 1)
                 ON CONFLICT(hash) DO NOTHING",
            )?
            .execute(params![hash, size as i64])?;
        if added == 0 {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO bodies_to_drop (hash)
                     SELECT hash FROM blobs WHERE hash = ?1 AND apart = 0",
                )?
                .execute([hash])?;
        }
        Ok(())
    }

    fn put_attachments(&self, id: i64, list: &[AttachmentInfo]) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO attachments (message_id, part_index, filename, content_type, size, content_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for a in list {
            stmt.execute(params![
                id,
                a.part_index,
                a.filename,
                a.content_type,
                a.size as i64,
                a.content_id
            ])?;
        }
        Ok(())
    }

    fn put_text(&self, id: i64, p: &ParsedMessage, replace: bool) -> Result<()> {
        let mut body = p.text.as_str();
        if body.len() > MAX_INDEXED_BODY {
            let mut cut = MAX_INDEXED_BODY;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body = &body[..cut];
        }
        let from_text = p.from.iter().map(ToString::to_string).collect::<Vec<_>>();
        let to_text =
            p.to.iter()
                .chain(&p.cc)
                .map(ToString::to_string)
                .collect::<Vec<_>>();
        let names = p
            .attachments
            .iter()
            .map(|a| a.filename.as_str())
            .collect::<Vec<_>>();
        let sql = if replace {
            "INSERT INTO message_text (message_id, subject, from_text, to_text, body, attachment_names)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(message_id) DO UPDATE SET subject = excluded.subject,
                from_text = excluded.from_text, to_text = excluded.to_text,
                body = excluded.body, attachment_names = excluded.attachment_names"
        } else {
            "INSERT INTO message_text (message_id, subject, from_text, to_text, body, attachment_names)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        };
        self.conn.prepare_cached(sql)?.execute(params![
            id,
            p.subject,
            from_text.join(", "),
            to_text.join(", "),
            body,
            names.join(" ")
        ])?;
        Ok(())
    }

    /// The newest messages of a folder (or of all folders), newest first.
    pub fn list_messages(
        &self,
        folder_id: Option<i64>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM messages m
             WHERE (?1 IS NULL OR m.folder_id = ?1)
             ORDER BY m.date DESC, m.id DESC LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![folder_id, limit, offset], row_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The raw bytes of a message, when its body is in the store.
    pub fn raw_message(&self, id: i64) -> Result<Option<Vec<u8>>> {
        type Found = (Option<String>, Option<Vec<u8>>, Option<bool>);
        let found: Option<Found> = self
            .conn
            .prepare_cached(&format!(
                "SELECT b.hash, b.data, {} FROM messages m LEFT JOIN blobs b ON b.hash = m.blob_hash
                 WHERE m.id = ?1",
                if self.bodies().is_some() { "b.apart" } else { "0" }
            ))?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (hash, data, apart) = found.ok_or(StoreError::NoMessage(id))?;
        match (hash, apart, self.bodies()) {
            (Some(hash), Some(true), Some(bodies)) => {
                let body = bodies.get(&hash)?;
                if body.is_none() {
                    tracing::warn!(id, "message body missing from the bodies file");
                }
                Ok(body)
            }
            _ => Ok(data),
        }
    }

    /// A message with its text, for reading.
    pub fn message(&self, id: i64) -> Result<StoredMessage> {
        let sql = format!(
            "SELECT {ROW_COLUMNS}, f.name, m.rfc_message_id, m.in_reply_to, m.to_list, m.cc_list,
                    m.sender_addr, m.parse_error
             FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?1"
        );
        let found = self
            .conn
            .query_row(&sql, [id], |r| {
                Ok(StoredMessage {
                    row: row_from(r)?,
                    folder: r.get(16)?,
                    message_id: r.get(17)?,
                    in_reply_to: r.get(18)?,
                    to: r.get(19)?,
                    cc: r.get(20)?,
                    sender: r.get(21)?,
                    parse_error: r.get(22)?,
                    text: String::new(),
                    html: None,
                    attachments: Vec::new(),
                })
            })
            .optional()?;
        let mut msg = found.ok_or(StoreError::NoMessage(id))?;
        if let Some(raw) = self.raw_message(id)? {
            match mime::parse(&raw) {
                Ok(p) => {
                    msg.text = p.text;
                    msg.html = p.html;
                    msg.attachments = p.attachments;
                }
                Err(_) => msg.text = String::from_utf8_lossy(&raw).into_owned(),
            }
        }
        Ok(msg)
    }

    /// Set or clear flags on a message.
    pub fn set_flags(&self, id: i64, flags: Flag) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE messages SET seen = ?2, flagged = ?3, answered = ?4, deleted = ?5, draft = ?6
             WHERE id = ?1",
            params![
                id,
                flags.seen,
                flags.flagged,
                flags.answered,
                flags.deleted,
                flags.draft
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NoMessage(id));
        }
        Ok(())
    }

    /// Ids of the messages of a folder, oldest first.
    pub fn message_ids_in(&self, folder_id: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM messages WHERE folder_id = ?1 ORDER BY date, id")?;
        let rows = stmt.query_map([folder_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Remove a message (its blob stays while another message shares it).
    pub fn delete_message(&self, id: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        let hash: Option<String> = tx
            .query_row("SELECT blob_hash FROM messages WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NoMessage(id))?;
        tx.execute("DELETE FROM message_text WHERE message_id = ?1", [id])?;
        tx.execute("DELETE FROM messages WHERE id = ?1", [id])?;
        if let Some(hash) = hash {
            tx.execute(
                "DELETE FROM blobs WHERE hash = ?1
                 AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_hash = ?1)",
                [hash],
            )?;
        }
        tx.commit()?;
        self.drop_unlinked_bodies()?;
        Ok(())
    }
}
