-- Photographs an auditor takes on site. Each is a document of the organisme's library
-- (supporting the requirement it was taken for), linked here to its audit and requirement.
-- The device names each photograph (client_key) when it is taken: a send retried after a
-- lost answer finds the first one instead of adding a copy.
CREATE TABLE audit_photos (
    id TEXT PRIMARY KEY NOT NULL,
    audit_id TEXT NOT NULL REFERENCES audits (id),
    requirement_ref TEXT NOT NULL,
    evidence_id TEXT NOT NULL UNIQUE REFERENCES evidence (id),
    client_key TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (audit_id, client_key)
);
CREATE INDEX audit_photos_by_requirement ON audit_photos (audit_id, requirement_ref);
