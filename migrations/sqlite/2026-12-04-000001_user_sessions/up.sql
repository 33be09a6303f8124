-- The sessions a person has open, one row per signed-in browser: *Mon compte* lists them
-- and closes one or all. The session cookie names its row; a request whose row is closed
-- (or gone) is signed out. Rows idle longer than the idle timeout are dead and cleared at
-- the next sign-in of the same account; a closed row stays until then, so that a second
-- tab closing it again is told it is closed already.
CREATE TABLE user_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    -- 'password', 'second-factor', 'recovery-code' or 'provider:<slug>'
    means TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, last_seen_at);
