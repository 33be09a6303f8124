-- People who sign in through an OpenID Connect provider (ProConnect, Entra ID…): one line
-- per provider and subject, linked to the account it signs in as, or pending until an
-- administrator accepts (or refuses) the person. Roles and scopes stay the account's.
CREATE TABLE identities (
    id TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    email TEXT NOT NULL,
    email_verified BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    siret TEXT,
    organizational_unit TEXT,
    state TEXT NOT NULL CHECK (state IN ('linked', 'pending', 'refused')),
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP,
    UNIQUE (provider, subject),
    CHECK ((state = 'linked') = (user_id IS NOT NULL))
);
CREATE INDEX identities_by_user ON identities (user_id);
