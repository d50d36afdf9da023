-- One submission per obligation; its revisions keep every state it went through.
CREATE TABLE submissions (
    id                TEXT NOT NULL PRIMARY KEY,
    obligation_id     TEXT NOT NULL UNIQUE REFERENCES obligations (id),
    agreement_id      TEXT NOT NULL REFERENCES agreements (id),
    traeger           TEXT NOT NULL REFERENCES traeger (ags),
    year              INTEGER NOT NULL,
    section           TEXT NOT NULL,
    -- Copied from the obligation, which never changes once its agreement is signed.
    due               DATE,
    recipients        TEXT NOT NULL,
    -- Of the newest revision, and the valid (accepted) one: kept here for filters.
    status            TEXT NOT NULL,
    current_revision  INTEGER NOT NULL,
    accepted_revision INTEGER,
    version           BIGINT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX submissions_year_traeger ON submissions (year, traeger);

CREATE TABLE submission_revisions (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    revision      INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted', 'superseded')),
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    submitted_by  TEXT,
    submitted_at  TIMESTAMP,
    days_late     INTEGER,
    reviewed_by   TEXT,
    reviewed_at   TIMESTAMP,
    return_reason TEXT,
    PRIMARY KEY (submission_id, revision)
);

-- One row per indicator and reporting body ('' for the figure itself). Counts and cents are
-- whole numbers; texts are text. No binary floats.
CREATE TABLE submission_values (
    submission_id  TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    indicator_code TEXT NOT NULL,
    reporting_body TEXT NOT NULL,
    unit           TEXT NOT NULL CHECK (unit IN ('count', 'eur', 'text')),
    value_int      BIGINT,
    value_text     TEXT,
    note           TEXT,
    PRIMARY KEY (submission_id, revision, indicator_code, reporting_body),
    FOREIGN KEY (submission_id, revision) REFERENCES submission_revisions (submission_id, revision)
);
CREATE INDEX submission_values_indicator ON submission_values (indicator_code);

CREATE TABLE submission_receipts (
    submission_id TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    recipient     TEXT NOT NULL CHECK (recipient IN ('jobcenter', 'hmsi', 'traeger')),
    confirmed_by  TEXT NOT NULL,
    confirmed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, revision, recipient),
    FOREIGN KEY (submission_id, revision) REFERENCES submission_revisions (submission_id, revision)
);
