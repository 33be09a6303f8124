-- Audits pinned to a framework version, their team and sampled sites, the findings recorded
-- per requirement, and the organisme's self-assessment. Rows carry a version (409 on stale).
CREATE TABLE audits (
    id TEXT PRIMARY KEY NOT NULL,
    commitment_id TEXT NOT NULL REFERENCES commitments (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    step_code TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'preparation', 'on_site', 'drafted', 'submitted', 'decided', 'closed')),
    lead_auditor_id TEXT REFERENCES users (id),
    decision TEXT CHECK (decision IS NULL OR decision IN ('granted', 'renewed', 'maintained', 'suspended', 'refused')),
    decision_date DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX audits_commitment ON audits (commitment_id, start_date);
CREATE INDEX audits_organisation ON audits (organisation_id);
CREATE INDEX audits_lead ON audits (lead_auditor_id);

CREATE TABLE audit_team (
    audit_id TEXT NOT NULL REFERENCES audits (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (audit_id, user_id)
);
CREATE INDEX audit_team_user ON audit_team (user_id);

CREATE TABLE audit_sites (
    audit_id TEXT NOT NULL REFERENCES audits (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    PRIMARY KEY (audit_id, site_id)
);

CREATE TABLE findings (
    id TEXT PRIMARY KEY NOT NULL,
    audit_id TEXT NOT NULL REFERENCES audits (id),
    requirement_ref TEXT NOT NULL,
    grade_code TEXT,
    finding TEXT NOT NULL,
    evidence_seen TEXT NOT NULL,
    site_ids TEXT NOT NULL,
    self_level TEXT CHECK (self_level IS NULL OR self_level IN ('met', 'partial', 'not_met', 'not_applicable')),
    self_comment TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (audit_id, requirement_ref)
);
