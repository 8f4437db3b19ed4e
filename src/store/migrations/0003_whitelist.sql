-- The MSSanté whitelist of trusted domains: the last good copy in use, its
-- metadata, and the history of imports (kept or refused, with the reason).
CREATE TABLE whitelist_domains (
    domain               TEXT NOT NULL,
    operator_dn          TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    responsible_contact  TEXT NOT NULL DEFAULT '',
    support_contact      TEXT NOT NULL DEFAULT '',
    updated_at           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (domain, operator_dn)
) STRICT, WITHOUT ROWID;

CREATE TABLE whitelist_meta (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    generated_at  INTEGER NOT NULL,
    source        TEXT NOT NULL,
    imported_at   INTEGER NOT NULL,
    entries       INTEGER NOT NULL,
    domains       INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,
    sha256        TEXT NOT NULL
) STRICT;

CREATE TABLE whitelist_imports (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    source   TEXT NOT NULL,
    outcome  TEXT NOT NULL CHECK (outcome IN ('imported', 'kept-previous')),
    reason   TEXT NOT NULL DEFAULT ''
) STRICT;
