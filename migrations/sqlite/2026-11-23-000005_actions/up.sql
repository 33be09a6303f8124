-- Action plans: one action per nonconformity found, with its correction, root cause and
-- corrective action, an owner and a due date, a status, and dated progress updates.
CREATE TABLE actions (
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
CREATE INDEX actions_organisation ON actions (organisation_id, status, due_date);

CREATE TABLE action_updates (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES actions (id),
    at TIMESTAMP NOT NULL,
    author_label TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX action_updates_action ON action_updates (action_id, at);
