-- Commitments of organismes to framework versions, the sites they cover, and their events
-- (state transitions with date, author and reason; audits held). Schedules are computed.
CREATE TABLE commitments (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    state TEXT NOT NULL CHECK (state IN ('considered', 'preparing', 'initial_audit', 'granted', 'surveillance', 'renewal_due', 'renewed', 'suspended', 'withdrawn', 'expired')),
    all_sites BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    certificate_number TEXT NOT NULL,
    auditor_id TEXT REFERENCES users (id),
    start_date DATE NOT NULL,
    notes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX commitments_organisation ON commitments (organisation_id);
CREATE INDEX commitments_framework ON commitments (framework_id);
CREATE INDEX commitments_auditor ON commitments (auditor_id);

CREATE TABLE commitment_sites (
    commitment_id TEXT NOT NULL REFERENCES commitments (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    PRIMARY KEY (commitment_id, site_id)
);

CREATE TABLE commitment_events (
    id TEXT PRIMARY KEY NOT NULL,
    commitment_id TEXT NOT NULL REFERENCES commitments (id),
    kind TEXT NOT NULL CHECK (kind IN ('transition', 'audit')),
    event_date DATE NOT NULL,
    from_state TEXT,
    to_state TEXT,
    step_code TEXT,
    reason TEXT NOT NULL,
    author_id TEXT,
    author_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX commitment_events_commitment ON commitment_events (commitment_id, event_date);

-- Calendar subscriptions: a secret URL per user and filter, revocable.
CREATE TABLE calendar_feeds (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    filter TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);
