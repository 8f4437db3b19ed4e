-- A directory data file: one row per MSSanté mailbox, from the ANS
-- Extraction_Correspondance_MSSante file. Public data. An import writes a new
-- data file (tables first, indexes after the rows), never changes it after,
-- and swaps it in; `PRAGMA user_version` holds schema::DATA_FORMAT.

CREATE TABLE entry (
    id            INTEGER PRIMARY KEY,
    address       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    pp_id_type    TEXT NOT NULL,
    pp_id         TEXT NOT NULL,
    national_id   TEXT NOT NULL,
    structure_id_type TEXT NOT NULL,
    structure_id  TEXT NOT NULL,
    service       TEXT NOT NULL,
    civility      TEXT NOT NULL,
    family        TEXT NOT NULL,
    given         TEXT NOT NULL,
    category_code TEXT NOT NULL,
    category      TEXT NOT NULL,
    profession_code TEXT NOT NULL,
    profession    TEXT NOT NULL,
    specialty_code TEXT NOT NULL,
    specialty     TEXT NOT NULL,
    paper_free    INTEGER NOT NULL,
    organisation  TEXT NOT NULL,
    trade_name    TEXT NOT NULL,
    street        TEXT NOT NULL,
    city          TEXT NOT NULL,
    postcode      TEXT NOT NULL,
    dept          TEXT NOT NULL,
    country       TEXT NOT NULL,
    -- folded surname (or organisation name) for exact and prefix ranking
    name_key      TEXT NOT NULL,
    given_key     TEXT NOT NULL,
    -- folded fields joined by '|', in the order of schema::Field
    norm          TEXT NOT NULL,
    -- hash of the source fields, to report what an import modified
    digest        INTEGER NOT NULL
) STRICT;

-- Every searched word is one token matched whole, as a prefix, or in a
-- column: no phrase needs positions, no ranking needs column sizes.
CREATE VIRTUAL TABLE entry_fts USING fts5 (
    name, given, profession, specialty, organisation, city, postcode, dept, kind, other,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3',
    detail = column,
    columnsize = 0
);

-- Every folded word of the index: a word being typed is expanded to the words
-- it starts, which the FTS index then finds without merging whole doclists.
CREATE TABLE vocab (
    word TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX entry_address ON entry (address);
CREATE INDEX entry_name ON entry (name_key, given_key);
CREATE INDEX entry_dept_name ON entry (dept, name_key, given_key);
