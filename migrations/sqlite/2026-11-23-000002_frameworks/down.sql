DROP TABLE framework_mappings;
DROP TABLE framework_grades;
DROP TABLE framework_indicators;
DROP TABLE framework_requirements;
DROP TABLE frameworks;
