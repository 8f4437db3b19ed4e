-- The personal address book: people the user wrote to, each optionally linked
-- to its entry in the national directory (by mailbox address, since the
-- directory lives in its own database).

CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY,
    address           TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL DEFAULT '',
    directory_address TEXT,
    -- folded name and address, for searching
    search_key        TEXT NOT NULL DEFAULT '',
    times_written     INTEGER NOT NULL DEFAULT 0,
    last_written      INTEGER,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX contacts_by_use ON contacts (times_written DESC, last_written DESC);
