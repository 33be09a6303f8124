-- The action plan a quality manager runs: actions come from an audit's nonconformity or are
-- created directly (the label's cross-cutting and local improvement actions, answers to a
-- survey or to complaints), with a framework, a site, an owner who has an account, and a
-- priority. SQLite cannot relax NOT NULL in place: the table is rebuilt, its updates kept
-- aside meanwhile so that no foreign key is ever left dangling.
CREATE TABLE actions_new (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    audit_id TEXT REFERENCES audits (id),
    finding_id TEXT UNIQUE REFERENCES findings (id),
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
    version INTEGER NOT NULL DEFAULT 1,
    origin TEXT NOT NULL DEFAULT 'finding'
        CHECK (origin IN ('finding', 'transversal', 'local', 'survey', 'complaint')),
    framework_id TEXT REFERENCES frameworks (id),
    site_id TEXT REFERENCES sites (id),
    owner_id TEXT REFERENCES users (id),
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
    CHECK (origin <> 'finding' OR finding_id IS NOT NULL)
);
INSERT INTO actions_new (id, organisation_id, audit_id, finding_id, requirement_ref, title,
    correction, root_cause, corrective_action, owner, due_date, status, created_at, updated_at,
    version)
SELECT id, organisation_id, audit_id, finding_id, requirement_ref, title, correction,
    root_cause, corrective_action, owner, due_date, status, created_at, updated_at, version
FROM actions;

CREATE TABLE action_updates_kept AS SELECT * FROM action_updates;
DROP TABLE action_updates;
DROP TABLE actions;
ALTER TABLE actions_new RENAME TO actions;
CREATE INDEX actions_organisation ON actions (organisation_id, status, due_date);
CREATE INDEX actions_owner ON actions (owner_id, status, due_date);

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

-- What existing actions already imply: the audit's framework, and a high priority for a
-- nonconformity that blocks the decision (a major one).
UPDATE actions SET framework_id = (SELECT audits.framework_id FROM audits WHERE audits.id = actions.audit_id);
UPDATE actions SET priority = 'high' WHERE EXISTS (
    SELECT 1 FROM findings
    JOIN audits ON audits.id = findings.audit_id
    JOIN framework_grades ON framework_grades.framework_id = audits.framework_id
        AND framework_grades.code = findings.grade_code
    WHERE findings.id = actions.finding_id AND framework_grades.blocks_decision
);
