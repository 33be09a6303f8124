-- The evidence library of each organisme: documents with revisions (files stored once per
-- content, by sha256), the site they concern, their validity, the requirements they support.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    site_id TEXT REFERENCES sites (id),
    effective_date DATE,
    valid_until DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX evidence_organisation ON evidence (organisation_id, valid_until);

CREATE TABLE evidence_files (
    id TEXT PRIMARY KEY NOT NULL,
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX evidence_files_evidence ON evidence_files (evidence_id, uploaded_at);
CREATE INDEX evidence_files_sha ON evidence_files (sha256);
