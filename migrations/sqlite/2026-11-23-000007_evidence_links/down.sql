ALTER TABLE findings DROP COLUMN self_evidence_ids;
ALTER TABLE findings DROP COLUMN evidence_ids;
DROP TABLE evidence_requirements;
