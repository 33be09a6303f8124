-- Indicators: the organisme's own definitions (beside those of its frameworks), its own
-- targets, and values per organisme or site and per period. Values are keyed by indicator
-- code: a code shared by several frameworks is the same measure and feeds each of them.
CREATE TABLE organisation_indicators (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better')),
    target DOUBLE PRECISION,
    frequency TEXT NOT NULL,
    definition TEXT NOT NULL,
    numerator TEXT NOT NULL,
    denominator TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (organisation_id, code)
);

CREATE TABLE indicator_targets (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    indicator_code TEXT NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (organisation_id, indicator_code)
);

-- period: '2025-03' (month), '2025-Q1' (quarter) or '2025' (year); period_start orders them.
CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    site_id TEXT REFERENCES sites (id),
    indicator_code TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    numerator DOUBLE PRECISION,
    denominator DOUBLE PRECISION,
    source TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- One value per organisme (or site), indicator and period.
CREATE UNIQUE INDEX indicator_values_key
    ON indicator_values (organisation_id, indicator_code, period, COALESCE(site_id, ''));
CREATE INDEX indicator_values_series ON indicator_values (indicator_code, period_start);
