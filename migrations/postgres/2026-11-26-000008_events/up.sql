-- The outbox: what integrators are told, written in the same transaction as the change that
-- caused it (or by the deadline scheduler), numbered in commit order like the ledger.
CREATE TABLE events (
    seq         BIGINT NOT NULL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    event_type  TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    traeger     TEXT,
    -- Who besides HMSI may know of it: `traeger:06633 jobcenter:06633 …`.
    audience    TEXT NOT NULL,
    data        TEXT NOT NULL,
    -- A deadline event's obligation and kind: written once, whichever replica comes first.
    once_key    TEXT UNIQUE
);
CREATE INDEX events_type ON events (event_type, seq);
