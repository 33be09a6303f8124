DROP TABLE findings;
DROP TABLE audit_sites;
DROP TABLE audit_team;
DROP TABLE audits;
