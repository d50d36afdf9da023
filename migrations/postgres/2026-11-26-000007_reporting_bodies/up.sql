-- The Jugendämter and Schuldnerberatungsstellen that report through a Träger (§ 2 (1), (3)),
-- so breakdowns name the same body the same way every year.
CREATE TABLE reporting_bodies (
    id         TEXT NOT NULL PRIMARY KEY,
    traeger    TEXT NOT NULL REFERENCES traeger (ags),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('jugendamt', 'schuldnerberatung', 'suchtberatung', 'other')),
    active     BOOLEAN NOT NULL,
    version    BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (traeger, name)
);
