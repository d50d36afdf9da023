-- Monthly rows stay: dropping their key would merge a year's months.
SELECT 1;
