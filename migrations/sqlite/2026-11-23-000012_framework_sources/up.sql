-- A framework's TOML file, apart from its row: the file is read when it is shown or a charter
-- edited, while lists of frameworks are read on many pages, and on SQLite the columns stored
-- after a large value are reached only through its overflow pages (187 files of 40 to 70 KB
-- were read to list four frameworks).
CREATE TABLE framework_sources (
    framework_id TEXT PRIMARY KEY NOT NULL REFERENCES frameworks (id),
    source TEXT NOT NULL
);
INSERT INTO framework_sources (framework_id, source) SELECT id, source FROM frameworks;
ALTER TABLE frameworks DROP COLUMN source;
