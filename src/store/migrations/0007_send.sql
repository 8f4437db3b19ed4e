-- Sending pipeline: the send journal, in-doubt messages, Sent-folder copies and
-- delivery reports (DSN/MDN) linked to the messages they report on.
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN copied_to_sent INTEGER NOT NULL DEFAULT 0;

-- One row per SMTP attempt, written before the message content is sent.
CREATE TABLE send_attempts (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES outbox(id),
    attempt      INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    outcome      TEXT CHECK (outcome IN ('accepted', 'temporary', 'permanent', 'refused',
                                         'in-doubt', 'found-delivered', 'confirmed-delivered',
                                         'released')),
    reply        TEXT,
    UNIQUE (outbox_id, attempt)
) STRICT;

CREATE TABLE delivery_reports (
    id                   INTEGER PRIMARY KEY,
    outbox_id            INTEGER REFERENCES outbox(id),
    original_message_id  TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('dsn', 'mdn')),
    recipient            TEXT NOT NULL,
    status               TEXT NOT NULL,
    detail               TEXT,
    received_at          INTEGER NOT NULL,
    UNIQUE (original_message_id, kind, recipient, status)
) STRICT;
CREATE INDEX delivery_reports_by_outbox ON delivery_reports(outbox_id);
