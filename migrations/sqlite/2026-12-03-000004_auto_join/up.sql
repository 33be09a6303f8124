-- Organismes whose staff join by themselves: a person signing in through ProConnect whose
-- SIRET begins with the organisme's SIREN gets an account of it, as an observer (read-only)
-- until an administrator gives them more. Turned on by an administrator, per organisme.
CREATE TABLE auto_joins (
    organisation_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    enabled_at TIMESTAMP NOT NULL,
    enabled_by TEXT NOT NULL
);
