//! Folders: local ones (imports, demo) and mirrors of server mailboxes.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store, StoreError};

/// The role of a folder, from IMAP SPECIAL-USE or its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderRole {
    Inbox,
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
}

impl FolderRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::Sent => "sent",
            Self::Drafts => "drafts",
            Self::Trash => "trash",
            Self::Junk => "junk",
            Self::Archive => "archive",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "inbox" => Self::Inbox,
            "sent" => Self::Sent,
            "drafts" => Self::Drafts,
            "trash" => Self::Trash,
            "junk" => Self::Junk,
            "archive" => Self::Archive,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Folder {
    pub id: i64,
    pub account_id: Option<i64>,
    pub name: String,
    pub role: Option<FolderRole>,
    pub total: i64,
    pub unread: i64,
}

impl Store {
    /// The id of a folder, created if missing.
    pub fn ensure_folder(
        &self,
        account_id: Option<i64>,
        name: &str,
        role: Option<FolderRole>,
    ) -> Result<i64> {
        if let Some(id) = self.folder_id(account_id, name)? {
            return Ok(id);
        }
        self.conn.execute(
            "INSERT INTO folders (account_id, name, special_use) VALUES (?1, ?2, ?3)",
            params![account_id, name, role.map(FolderRole::as_str)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn folder_id(&self, account_id: Option<i64>, name: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM folders WHERE coalesce(account_id, 0) = coalesce(?1, 0) AND name = ?2",
                params![account_id, name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Find a folder by name across accounts (local folders first).
    pub fn find_folder(&self, name: &str) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT id FROM folders WHERE name = ?1 ORDER BY account_id IS NOT NULL, id LIMIT 1",
                [name],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NoFolder(name.to_owned()))
    }

    /// All folders with their message and unread counts.
    pub fn folders(&self) -> Result<Vec<Folder>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.id, f.account_id, f.name, f.special_use,
                    (SELECT count(*) FROM messages m WHERE m.folder_id = f.id),
                    (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND m.seen = 0)
             FROM folders f
             ORDER BY f.account_id IS NOT NULL, f.account_id,
                      CASE f.special_use WHEN 'inbox' THEN 0 WHEN 'drafts' THEN 1 WHEN 'sent' THEN 2
                           WHEN 'archive' THEN 3 WHEN 'junk' THEN 4 WHEN 'trash' THEN 5 ELSE 6 END,
                      f.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Folder {
                id: r.get(0)?,
                account_id: r.get(1)?,
                name: r.get(2)?,
                role: r
                    .get::<_, Option<String>>(3)?
                    .as_deref()
                    .and_then(FolderRole::parse),
                total: r.get(4)?,
                unread: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
