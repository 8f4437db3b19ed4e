-- The bodies file: raw messages by content address (SHA-256, hex). The mail
-- store's `blobs` table says which message uses which body.
CREATE TABLE bodies (
    id    INTEGER PRIMARY KEY,
    hash  TEXT NOT NULL UNIQUE,
    data  BLOB NOT NULL
) STRICT;
