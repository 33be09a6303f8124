DROP TRIGGER history_no_delete;
DROP TRIGGER history_no_update;
DROP TABLE history;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE sites;
DROP TABLE organisations;
