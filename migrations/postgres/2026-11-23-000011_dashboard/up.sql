-- The federation dashboard finds major nonconformities by their grade among every finding.
CREATE INDEX findings_grade ON findings (grade_code);
