-- Failed sign-ins, per account (its e-mail) and per address: kept in the database so that
-- every application node refuses a locked account, and a restart forgets nothing.
CREATE TABLE login_failures (
    kind TEXT NOT NULL CHECK (kind IN ('account', 'address')),
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    first_failure TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    PRIMARY KEY (kind, key)
);
