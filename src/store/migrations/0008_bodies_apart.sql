-- Raw messages written from now on live in a second encrypted file beside the
-- store (the bodies file, see store/bodies.rs), so that a bulk import can
-- write them on a thread of their own. The `blobs` row stays here, with an
-- empty `data` and `apart` set, so that messages keep their reference to it.
-- Raw messages stored before keep their data in this table.
ALTER TABLE blobs ADD COLUMN apart INTEGER NOT NULL DEFAULT 0;

-- Bodies whose `blobs` row was deleted, to remove from the bodies file after
-- the deletion is committed (the two files do not share transactions).
CREATE TABLE bodies_to_drop (
    hash  TEXT PRIMARY KEY
) STRICT;

CREATE TRIGGER blobs_apart_deleted AFTER DELETE ON blobs WHEN old.apart = 1 BEGIN
    INSERT OR IGNORE INTO bodies_to_drop (hash) VALUES (old.hash);
END;
