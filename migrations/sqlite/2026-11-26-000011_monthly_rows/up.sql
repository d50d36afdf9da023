-- BA's Kennzahlen come month by month, each with its Datenstand (data vintage): a row names its
-- Bezugsmonat (0 for a figure of the whole year) and the day BA's data stood at. The key grows
-- by the month, so the table is rebuilt (nothing refers to its rows).
CREATE TABLE transmission_rows_new (
    transmission_id TEXT NOT NULL,
    version_no      INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    traeger         TEXT NOT NULL,
    indicator_code  TEXT NOT NULL,
    unit            TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text')),
    value_int       BIGINT,
    marker          TEXT CHECK (marker IN ('suppressed', 'nil', 'not_applicable')),
    provisional     BOOLEAN NOT NULL,
    revised         BOOLEAN NOT NULL,
    month           INTEGER NOT NULL DEFAULT 0 CHECK (month BETWEEN 0 AND 12),
    data_as_of      DATE,
    CHECK ((value_int IS NULL) <> (marker IS NULL)),
    PRIMARY KEY (transmission_id, version_no, traeger, indicator_code, month),
    FOREIGN KEY (transmission_id, version_no) REFERENCES transmission_versions (transmission_id, version_no)
);
INSERT INTO transmission_rows_new
    SELECT transmission_id, version_no, position, traeger, indicator_code, unit, value_int,
           marker, provisional, revised, 0, NULL
    FROM transmission_rows;
DROP TABLE transmission_rows;
ALTER TABLE transmission_rows_new RENAME TO transmission_rows;
CREATE INDEX transmission_rows_traeger ON transmission_rows (traeger);
