-- The action plan a quality manager runs: actions come from an audit's nonconformity or are
-- created directly (the label's cross-cutting and local improvement actions, answers to a
-- survey or to complaints), with a framework, a site, an owner who has an account, and a
-- priority.
ALTER TABLE actions ALTER COLUMN audit_id DROP NOT NULL;
ALTER TABLE actions ALTER COLUMN finding_id DROP NOT NULL;
ALTER TABLE actions ADD COLUMN origin TEXT NOT NULL DEFAULT 'finding'
    CHECK (origin IN ('finding', 'transversal', 'local', 'survey', 'complaint'));
ALTER TABLE actions ADD COLUMN framework_id TEXT REFERENCES frameworks (id);
ALTER TABLE actions ADD COLUMN site_id TEXT REFERENCES sites (id);
ALTER TABLE actions ADD COLUMN owner_id TEXT REFERENCES users (id);
ALTER TABLE actions ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
    CHECK (priority IN ('high', 'normal', 'low'));
ALTER TABLE actions ADD CONSTRAINT actions_finding_origin
    CHECK (origin <> 'finding' OR finding_id IS NOT NULL);
CREATE INDEX actions_owner ON actions (owner_id, status, due_date);

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
