DROP TRIGGER history_no_change ON history;
DROP FUNCTION history_append_only();
DROP TABLE history;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE sites;
DROP TABLE organisations;
