-- The change clock: one counter per organisme ("organisation:<id>"), one for writes that
-- belong to no organisme ("shared": frameworks, accounts…) and one advanced by every write
-- ("all"). Each write transaction advances its counters just before it commits, so a page
-- kept in memory on any node is known stale on the next request, whatever the clocks say.
CREATE TABLE change_clock (
    scope TEXT PRIMARY KEY NOT NULL,
    tick BIGINT NOT NULL
);
