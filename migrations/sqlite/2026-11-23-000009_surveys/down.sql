DROP TABLE survey_results;
DROP TABLE survey_waves;
