DROP INDEX findings_grade;
