-- BA's Kennzahlen come month by month, each with its Datenstand (data vintage): a row names its
-- Bezugsmonat (0 for a figure of the whole year) and the day BA's data stood at.
ALTER TABLE transmission_rows ADD COLUMN month INTEGER NOT NULL DEFAULT 0 CHECK (month BETWEEN 0 AND 12);
ALTER TABLE transmission_rows ADD COLUMN data_as_of DATE;
ALTER TABLE transmission_rows DROP CONSTRAINT transmission_rows_pkey;
ALTER TABLE transmission_rows ADD PRIMARY KEY (transmission_id, version_no, traeger, indicator_code, month);
