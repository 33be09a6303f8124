DROP TABLE calendar_feeds;
DROP TABLE commitment_events;
DROP TABLE commitment_sites;
DROP TABLE commitments;
