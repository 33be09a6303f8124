DROP TABLE role_policies;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
