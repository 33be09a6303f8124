ALTER TABLE frameworks ADD COLUMN source TEXT NOT NULL DEFAULT '';
UPDATE frameworks SET source = (
    SELECT s.source FROM framework_sources s WHERE s.framework_id = frameworks.id
);
DROP TABLE framework_sources;
