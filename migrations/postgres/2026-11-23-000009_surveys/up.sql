-- Tenant satisfaction surveys: waves (the triennial survey or any other), the scale they
-- use, and results per common-core theme, for the organisme and per site.
CREATE TABLE survey_waves (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    scale TEXT NOT NULL CHECK (scale IN ('score10', 'four_point', 'percent')),
    fieldwork_end DATE NOT NULL,
    respondents INTEGER,
    provider TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX survey_waves_organisation ON survey_waves (organisation_id, fieldwork_end);

CREATE TABLE survey_results (
    id TEXT PRIMARY KEY NOT NULL,
    wave_id TEXT NOT NULL REFERENCES survey_waves (id),
    theme TEXT NOT NULL,
    site_id TEXT REFERENCES sites (id),
    value DOUBLE PRECISION NOT NULL,
    respondents INTEGER
);
CREATE UNIQUE INDEX survey_results_key ON survey_results (wave_id, theme, COALESCE(site_id, ''));
