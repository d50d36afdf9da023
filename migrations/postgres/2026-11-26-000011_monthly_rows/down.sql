ALTER TABLE transmission_rows DROP CONSTRAINT transmission_rows_pkey;
DELETE FROM transmission_rows WHERE month <> 0;
ALTER TABLE transmission_rows ADD PRIMARY KEY (transmission_id, version_no, traeger, indicator_code);
ALTER TABLE transmission_rows DROP COLUMN data_as_of;
ALTER TABLE transmission_rows DROP COLUMN month;
