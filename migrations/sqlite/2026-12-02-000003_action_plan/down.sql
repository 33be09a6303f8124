-- Back to actions that only come from findings: the others are removed with their updates.
DELETE FROM action_updates WHERE action_id IN (SELECT id FROM actions WHERE finding_id IS NULL);
DELETE FROM actions WHERE finding_id IS NULL;
CREATE TABLE actions_old (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    audit_id TEXT NOT NULL REFERENCES audits (id),
    finding_id TEXT NOT NULL UNIQUE REFERENCES findings (id),
    requirement_ref TEXT NOT NULL,
    title TEXT NOT NULL,
    correction TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    corrective_action TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'effective', 'ineffective')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO actions_old SELECT id, organisation_id, audit_id, finding_id, requirement_ref,
    title, correction, root_cause, corrective_action, owner, due_date, status, created_at,
    updated_at, version FROM actions;
CREATE TABLE action_updates_kept AS SELECT * FROM action_updates;
DROP TABLE action_updates;
DROP TABLE actions;
ALTER TABLE actions_old RENAME TO actions;
CREATE INDEX actions_organisation ON actions (organisation_id, status, due_date);
CREATE TABLE action_updates (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES actions (id),
    at TIMESTAMP NOT NULL,
    author_label TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL
);
INSERT INTO action_updates SELECT id, action_id, at, author_label, status, note
FROM action_updates_kept;
DROP TABLE action_updates_kept;
CREATE INDEX action_updates_action ON action_updates (action_id, at);
