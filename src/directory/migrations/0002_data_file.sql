-- The directory's rows move to a data file of their own, written once by an
-- import and swapped in by `meta.data_generation` (see data_schema.sql): this
-- file keeps only settings and the pointer to the current data file. A
-- directory imported before this level is imported again.

DROP TABLE IF EXISTS entry;
DROP TABLE IF EXISTS entry_fts;
DROP TABLE IF EXISTS vocab;
DROP TABLE IF EXISTS entry_new;
DROP TABLE IF EXISTS entry_new_fts;
DROP TABLE IF EXISTS vocab_new;
DELETE FROM meta WHERE key IN ('generation', 'imported_at', 'source', 'extraction_date');
