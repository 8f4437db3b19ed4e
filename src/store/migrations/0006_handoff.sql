-- Hand-off of received health documents to the practice software: one row per
-- document of a message, claimed ('writing') before the files are written and
-- marked 'done' once the document and its sidecar are in place.
CREATE TABLE document_handoffs (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    document_key  TEXT NOT NULL,
    account       TEXT NOT NULL,
    target_dir    TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sidecar_name  TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('writing', 'done')),
    started_at    INTEGER NOT NULL,
    done_at       INTEGER,
    UNIQUE (message_id, document_key)
) STRICT;

-- Messages whose documents have all been handed off (or that hold none).
CREATE TABLE document_scans (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    documents   INTEGER NOT NULL,
    scanned_at  INTEGER NOT NULL
) STRICT;
