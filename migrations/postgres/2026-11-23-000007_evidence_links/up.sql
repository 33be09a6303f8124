-- The requirements a document supports (by framework code, so the link outlives a new
-- version that keeps the reference), and the documents cited per finding: those the
-- auditor saw, and those the organisme linked in its self-assessment (JSON arrays of ids).
CREATE TABLE evidence_requirements (
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    framework_code TEXT NOT NULL,
    requirement_ref TEXT NOT NULL,
    PRIMARY KEY (evidence_id, framework_code, requirement_ref)
);
CREATE INDEX evidence_requirements_ref ON evidence_requirements (framework_code, requirement_ref);

ALTER TABLE findings ADD COLUMN evidence_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE findings ADD COLUMN self_evidence_ids TEXT NOT NULL DEFAULT '[]';
