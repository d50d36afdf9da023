-- The indicator catalogue. A version is valid from its year until the next version of the
-- same code; reference dates are month-day, resolved against the year asked for.
CREATE TABLE indicators (
    code                        TEXT NOT NULL,
    valid_from                  INTEGER NOT NULL,
    section                     TEXT NOT NULL,
    name_de                     TEXT NOT NULL,
    description_de              TEXT,
    unit                        TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'text')),
    measure                     TEXT NOT NULL CHECK (measure IN ('stock', 'flow', 'report')),
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

-- The wording HMSI sends out each year, from which drafts start.
CREATE TABLE agreement_templates (
    year    INTEGER NOT NULL PRIMARY KEY,
    content TEXT NOT NULL
);

CREATE TABLE agreements (
    id          TEXT NOT NULL PRIMARY KEY,
    traeger     TEXT NOT NULL REFERENCES traeger (ags),
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('reporting', 'targets')),
    legal_basis TEXT NOT NULL,
    benefits    TEXT NOT NULL,
    sections    TEXT NOT NULL,
    targets     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'signed_by_one', 'in_force', 'superseded')),
    supersedes  TEXT REFERENCES agreements (id),
    version     BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX agreements_traeger_year ON agreements (traeger, year);
CREATE INDEX agreements_year_status ON agreements (year, status);

-- Who delivers what to whom by when (§§ 2-5 of the agreement).
CREATE TABLE obligations (
    id           TEXT NOT NULL PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    position     INTEGER NOT NULL,
    section      TEXT NOT NULL,
    title_de     TEXT NOT NULL,
    delivered_by TEXT NOT NULL CHECK (delivered_by IN ('traeger', 'hmsi')),
    recipients   TEXT NOT NULL,
    due          DATE,
    note         TEXT,
    UNIQUE (agreement_id, position)
);

CREATE TABLE obligation_indicators (
    obligation_id  TEXT NOT NULL REFERENCES obligations (id),
    position       INTEGER NOT NULL,
    indicator_code TEXT NOT NULL,
    PRIMARY KEY (obligation_id, indicator_code)
);
CREATE INDEX obligation_indicators_code ON obligation_indicators (indicator_code);

-- One signature per party; the primary key makes a second one impossible.
CREATE TABLE signatures (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    party        TEXT NOT NULL CHECK (party IN ('hmsi', 'traeger')),
    signatories  TEXT NOT NULL,
    place        TEXT NOT NULL,
    signed_on    DATE NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, party)
);
