DROP TABLE transmission_acknowledgements;
DROP TABLE transmission_rows;
DROP TABLE transmission_versions;
DROP TABLE transmission_indicators;
DROP TABLE transmissions;
