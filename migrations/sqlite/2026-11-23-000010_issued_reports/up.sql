-- Reports issued by qualitrack, by the fingerprint printed on every page, so that anyone
-- holding a copy can check it was issued here, for which audit and when.
CREATE TABLE issued_reports (
    fingerprint TEXT PRIMARY KEY NOT NULL,
    audit_id TEXT NOT NULL REFERENCES audits (id),
    organisation_name TEXT NOT NULL,
    audit_title TEXT NOT NULL,
    content_date DATE NOT NULL,
    first_issued_at TIMESTAMP NOT NULL
);
CREATE INDEX issued_reports_audit ON issued_reports (audit_id, first_issued_at);
