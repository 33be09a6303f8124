DROP TABLE indicator_values;
DROP TABLE indicator_targets;
DROP TABLE organisation_indicators;
