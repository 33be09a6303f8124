-- Framework versions imported from TOML files, with their requirements, indicators,
-- grades and mappings. A version never changes once imported (content_hash).
CREATE TABLE frameworks (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('charter', 'certification', 'label')),
    owner TEXT NOT NULL,
    effective_date DATE,
    description TEXT NOT NULL,
    cycle TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    based_on_id TEXT REFERENCES frameworks (id),
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    requirements_count INTEGER NOT NULL,
    indicators_count INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);
CREATE INDEX frameworks_organisation ON frameworks (organisation_id);

CREATE TABLE framework_requirements (
    id TEXT PRIMARY KEY NOT NULL,
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    ref TEXT NOT NULL,
    parent_ref TEXT,
    position INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    title TEXT NOT NULL,
    guidance TEXT,
    evidence TEXT NOT NULL,
    indicator_codes TEXT NOT NULL,
    applicability TEXT,
    to_confirm BOOLEAN NOT NULL,
    search_key TEXT NOT NULL,
    UNIQUE (framework_id, ref)
);

CREATE TABLE framework_indicators (
    id TEXT PRIMARY KEY NOT NULL,
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('percent', 'days', 'working_days', 'hours', 'count', 'score10')),
    direction TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better')),
    target DOUBLE PRECISION,
    frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'yearly', 'triennial')),
    definition TEXT NOT NULL,
    numerator TEXT,
    denominator TEXT,
    source TEXT,
    sla_unit TEXT,
    sla_value INTEGER,
    to_confirm BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (framework_id, code)
);

CREATE TABLE framework_grades (
    id TEXT PRIMARY KEY NOT NULL,
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    abbreviation TEXT,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 4),
    nonconformity BOOLEAN NOT NULL,
    blocks_decision BOOLEAN NOT NULL,
    response_days INTEGER,
    response_unit TEXT,
    closure TEXT NOT NULL,
    description TEXT,
    position INTEGER NOT NULL,
    UNIQUE (framework_id, code)
);

CREATE TABLE framework_mappings (
    id TEXT PRIMARY KEY NOT NULL,
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    from_ref TEXT NOT NULL,
    to_code TEXT NOT NULL,
    to_version TEXT NOT NULL,
    to_ref TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('equivalent', 'partial', 'related')),
    note TEXT,
    UNIQUE (framework_id, from_ref, to_code, to_version, to_ref)
);
CREATE INDEX framework_mappings_target ON framework_mappings (to_code, to_version, to_ref);
