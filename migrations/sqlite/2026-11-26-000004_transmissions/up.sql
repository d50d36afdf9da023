-- Requests to BA statistics, and what BA delivered, version by version.
CREATE TABLE transmissions (
    id           TEXT NOT NULL PRIMARY KEY,
    year         INTEGER NOT NULL,
    ba_reference TEXT NOT NULL,
    requested_on DATE NOT NULL,
    note         TEXT,
    version      BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX transmissions_year ON transmissions (year);

CREATE TABLE transmission_indicators (
    transmission_id TEXT NOT NULL REFERENCES transmissions (id),
    position        INTEGER NOT NULL,
    indicator_code  TEXT NOT NULL,
    section         TEXT NOT NULL,
    unit            TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'text')),
    -- False for figures HMSI keeps (§ 4): never shown to a Träger.
    forwardable     BOOLEAN NOT NULL,
    PRIMARY KEY (transmission_id, indicator_code)
);

CREATE TABLE transmission_versions (
    transmission_id TEXT NOT NULL REFERENCES transmissions (id),
    version_no      INTEGER NOT NULL,
    reason          TEXT,
    received_by     TEXT NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    forwarded_by    TEXT,
    forwarded_at    TIMESTAMP,
    PRIMARY KEY (transmission_id, version_no)
);

-- A value or a BA marker, never both; a suppressed value is never stored as 0.
CREATE TABLE transmission_rows (
    transmission_id TEXT NOT NULL,
    version_no      INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    traeger         TEXT NOT NULL,
    indicator_code  TEXT NOT NULL,
    unit            TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'text')),
    value_int       BIGINT,
    marker          TEXT CHECK (marker IN ('suppressed', 'nil', 'not_applicable')),
    provisional     BOOLEAN NOT NULL,
    revised         BOOLEAN NOT NULL,
    CHECK ((value_int IS NULL) <> (marker IS NULL)),
    PRIMARY KEY (transmission_id, version_no, traeger, indicator_code),
    FOREIGN KEY (transmission_id, version_no) REFERENCES transmission_versions (transmission_id, version_no)
);
CREATE INDEX transmission_rows_traeger ON transmission_rows (traeger);

CREATE TABLE transmission_acknowledgements (
    transmission_id TEXT NOT NULL,
    version_no      INTEGER NOT NULL,
    traeger         TEXT NOT NULL REFERENCES traeger (ags),
    acknowledged_by TEXT NOT NULL,
    acknowledged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (transmission_id, version_no, traeger),
    FOREIGN KEY (transmission_id, version_no) REFERENCES transmission_versions (transmission_id, version_no)
);
