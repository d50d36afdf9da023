-- The Kennzahlen of § 48a SGB II: quotients per month, as percent or ratio (signed fixed
-- decimals in `value_int`, scaled by 10^4 and 10^6). SQLite cannot change a CHECK constraint,
-- so each table is rebuilt (none of them is referenced by a foreign key) and its index made
-- again.

CREATE TABLE indicators_new (
    code                        TEXT NOT NULL,
    valid_from                  INTEGER NOT NULL,
    section                     TEXT NOT NULL,
    name_de                     TEXT NOT NULL,
    description_de              TEXT,
    unit                        TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text')),
    measure                     TEXT NOT NULL CHECK (measure IN ('stock', 'flow', 'report', 'quotient')),
    source                      TEXT NOT NULL CHECK (source IN ('traeger', 'ba')),
    -- `stock MM-DD` or `flow MM-DD MM-DD`, resolved against the year asked for
    reference                   TEXT NOT NULL,
    part_of                     TEXT,
    breakdown_by_reporting_body BOOLEAN NOT NULL,
    discontinued                BOOLEAN NOT NULL,
    version                     BIGINT NOT NULL,
    created_at                  TIMESTAMP NOT NULL,
    updated_at                  TIMESTAMP NOT NULL,
    PRIMARY KEY (code, valid_from)
);
INSERT INTO indicators_new SELECT * FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_new RENAME TO indicators;

CREATE TABLE transmission_indicators_new (
    transmission_id TEXT NOT NULL REFERENCES transmissions (id),
    position        INTEGER NOT NULL,
    indicator_code  TEXT NOT NULL,
    section         TEXT NOT NULL,
    unit            TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text')),
    -- False for figures HMSI keeps (§ 4): never shown to a Träger.
    forwardable     BOOLEAN NOT NULL,
    PRIMARY KEY (transmission_id, indicator_code)
);
INSERT INTO transmission_indicators_new SELECT * FROM transmission_indicators;
DROP TABLE transmission_indicators;
ALTER TABLE transmission_indicators_new RENAME TO transmission_indicators;

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
    CHECK ((value_int IS NULL) <> (marker IS NULL)),
    PRIMARY KEY (transmission_id, version_no, traeger, indicator_code),
    FOREIGN KEY (transmission_id, version_no) REFERENCES transmission_versions (transmission_id, version_no)
);
INSERT INTO transmission_rows_new SELECT * FROM transmission_rows;
DROP TABLE transmission_rows;
ALTER TABLE transmission_rows_new RENAME TO transmission_rows;
CREATE INDEX transmission_rows_traeger ON transmission_rows (traeger);

CREATE TABLE submission_values_new (
    submission_id  TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    indicator_code TEXT NOT NULL,
    reporting_body TEXT NOT NULL,
    unit           TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text')),
    value_int      BIGINT,
    value_text     TEXT,
    note           TEXT,
    PRIMARY KEY (submission_id, revision, indicator_code, reporting_body),
    FOREIGN KEY (submission_id, revision) REFERENCES submission_revisions (submission_id, revision)
);
INSERT INTO submission_values_new SELECT * FROM submission_values;
DROP TABLE submission_values;
ALTER TABLE submission_values_new RENAME TO submission_values;
CREATE INDEX submission_values_indicator ON submission_values (indicator_code);
