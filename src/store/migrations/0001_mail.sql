-- Accounts, folders, messages and their full-text index.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL UNIQUE,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
) STRICT;

-- account_id NULL: a local folder (imports, demo).
CREATE TABLE folders (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    delimiter      TEXT,
    special_use    TEXT,
    uidvalidity    INTEGER,
    uidnext        INTEGER,
    highestmodseq  INTEGER,
    synced_at      INTEGER
) STRICT;
CREATE UNIQUE INDEX folders_by_name ON folders(coalesce(account_id, 0), name);

-- Raw messages, stored once whatever the number of folders holding them.
CREATE TABLE blobs (
    hash  TEXT PRIMARY KEY,
    size  INTEGER NOT NULL,
    data  BLOB NOT NULL
) STRICT;

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    folder_id        INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    blob_hash        TEXT REFERENCES blobs(hash),
    rfc_message_id   TEXT,
    in_reply_to      TEXT,
    refs             TEXT NOT NULL DEFAULT '',
    thread_key       TEXT NOT NULL,
    subject          TEXT NOT NULL DEFAULT '',
    from_name        TEXT NOT NULL DEFAULT '',
    from_addr        TEXT NOT NULL DEFAULT '',
    sender_addr      TEXT NOT NULL DEFAULT '',
    to_list          TEXT NOT NULL DEFAULT '',
    cc_list          TEXT NOT NULL DEFAULT '',
    date             INTEGER NOT NULL,
    received_at      INTEGER NOT NULL,
    size             INTEGER NOT NULL,
    seen             INTEGER NOT NULL DEFAULT 0,
    flagged          INTEGER NOT NULL DEFAULT 0,
    answered         INTEGER NOT NULL DEFAULT 0,
    deleted          INTEGER NOT NULL DEFAULT 0,
    draft            INTEGER NOT NULL DEFAULT 0,
    has_attachments  INTEGER NOT NULL DEFAULT 0,
    preview          TEXT NOT NULL DEFAULT '',
    parse_error      TEXT
) STRICT;
CREATE INDEX messages_by_folder_date ON messages(folder_id, date DESC);
CREATE INDEX messages_by_date ON messages(date DESC);
CREATE INDEX messages_by_rfc_id ON messages(rfc_message_id);
CREATE INDEX messages_by_thread ON messages(thread_key);
CREATE INDEX messages_by_blob ON messages(blob_hash);

-- Where a message lives on the server, kept apart from what it is.
CREATE TABLE imap_locations (
    message_id   INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    folder_id    INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    modseq       INTEGER
) STRICT;
CREATE UNIQUE INDEX imap_locations_by_uid ON imap_locations(folder_id, uidvalidity, uid);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    part_index    INTEGER NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    content_id    TEXT
) STRICT;
CREATE INDEX attachments_by_message ON attachments(message_id);

-- The searchable text of each message; message_fts indexes it.
CREATE TABLE message_text (
    message_id        INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    subject           TEXT NOT NULL,
    from_text         TEXT NOT NULL,
    to_text           TEXT NOT NULL,
    body              TEXT NOT NULL,
    attachment_names  TEXT NOT NULL
) STRICT;

CREATE VIRTUAL TABLE message_fts USING fts5(
    subject, from_text, to_text, body, attachment_names,
    content = 'message_text', content_rowid = 'message_id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER message_text_ai AFTER INSERT ON message_text BEGIN
    INSERT INTO message_fts(rowid, subject, from_text, to_text, body, attachment_names)
    VALUES (new.message_id, new.subject, new.from_text, new.to_text, new.body, new.attachment_names);
END;
CREATE TRIGGER message_text_ad AFTER DELETE ON message_text BEGIN
    INSERT INTO message_fts(message_fts, rowid, subject, from_text, to_text, body, attachment_names)
    VALUES ('delete', old.message_id, old.subject, old.from_text, old.to_text, old.body, old.attachment_names);
END;
CREATE TRIGGER message_text_au AFTER UPDATE ON message_text BEGIN
    INSERT INTO message_fts(message_fts, rowid, subject, from_text, to_text, body, attachment_names)
    VALUES ('delete', old.message_id, old.subject, old.from_text, old.to_text, old.body, old.attachment_names);
    INSERT INTO message_fts(rowid, subject, from_text, to_text, body, attachment_names)
    VALUES (new.message_id, new.subject, new.from_text, new.to_text, new.body, new.attachment_names);
END;
