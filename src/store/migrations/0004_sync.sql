-- IMAP sync state: changes made offline waiting to be replayed on the server,
-- and the server's quota.

-- One change made locally, replayed in order at the next sync. The server
-- location is the one the message had when the change was made.
CREATE TABLE sync_pending (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- 'flags', 'move', 'expunge' or 'append'
    kind         TEXT NOT NULL,
    message_id   INTEGER,
    folder_name  TEXT NOT NULL,
    uidvalidity  INTEGER,
    uid          INTEGER,
    -- destination folder of a move
    target       TEXT,
    -- JSON of the flags to set (flags, append)
    flags        TEXT,
    -- the raw message of an append
    raw          BLOB,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
) STRICT;
CREATE INDEX sync_pending_by_account ON sync_pending(account_id, id);
CREATE INDEX sync_pending_by_message ON sync_pending(message_id);

CREATE TABLE sync_quota (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    root         TEXT NOT NULL,
    used_kib     INTEGER NOT NULL,
    limit_kib    INTEGER,
    checked_at   INTEGER NOT NULL
) STRICT;
