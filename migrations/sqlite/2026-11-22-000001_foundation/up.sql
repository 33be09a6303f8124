-- Organismes, sites, accounts, API tokens and the append-only history.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    siren TEXT NOT NULL UNIQUE,
    family TEXT NOT NULL CHECK (family IN ('oph', 'esh', 'coop', 'sem', 'autre')),
    region TEXT NOT NULL CHECK (region IN ('84','27','53','24','94','44','32','11','28','75','76','52','93','01','02','03','04','06')),
    homes INTEGER NOT NULL CHECK (homes >= 0),
    federation TEXT NOT NULL CHECK (federation IN ('foph', 'esh', 'coop', 'procivis', 'epl', 'autre')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX organisations_region ON organisations (region);
CREATE INDEX organisations_family ON organisations (family);
CREATE INDEX organisations_search_key ON organisations (search_key);

CREATE TABLE sites (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('agence', 'residence', 'siege')),
    address TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    commune TEXT NOT NULL,
    homes INTEGER NOT NULL CHECK (homes >= 0),
    qpv BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sites_organisation ON sites (organisation_id, name);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'federation', 'quality_manager', 'auditor', 'observer')),
    organisation_id TEXT REFERENCES organisations (id),
    region TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    locale TEXT CHECK (locale IN ('fr', 'en')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((role IN ('quality_manager', 'observer')) = (organisation_id IS NOT NULL)),
    CHECK (region IS NULL OR role = 'federation')
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE history (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    organisation_id TEXT,
    action TEXT NOT NULL,
    before_data TEXT,
    after_data TEXT
);
CREATE INDEX history_entity ON history (entity, entity_id, at);
CREATE INDEX history_organisation ON history (organisation_id, at);

CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
