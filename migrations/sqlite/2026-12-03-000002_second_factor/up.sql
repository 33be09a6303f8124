-- A second factor for local accounts: a TOTP secret (RFC 6238) confirmed by a first code,
-- the last time step accepted (a code is used once), and one-time recovery codes kept as
-- hashes. Which roles must have one is the administrator's choice (administrators always).
CREATE TABLE second_factors (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    secret TEXT NOT NULL,
    enabled_at TIMESTAMP NOT NULL,
    last_step BIGINT NOT NULL
);
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);
CREATE TABLE role_policies (
    role TEXT PRIMARY KEY NOT NULL
        CHECK (role IN ('admin', 'federation', 'quality_manager', 'auditor', 'observer')),
    second_factor_required BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- One row per role that may be asked for a second factor, so that a change of the choice is
-- an update of rows that exist (two administrators saving at once: the second is refused).
-- Dated by this migration, not by when it runs: a database made twice from one seed is the
-- same twice.
INSERT INTO role_policies (role, second_factor_required, updated_at) VALUES
    ('federation', FALSE, '2026-12-03 00:00:00'),
    ('quality_manager', FALSE, '2026-12-03 00:00:00'),
    ('auditor', FALSE, '2026-12-03 00:00:00'),
    ('observer', FALSE, '2026-12-03 00:00:00');
