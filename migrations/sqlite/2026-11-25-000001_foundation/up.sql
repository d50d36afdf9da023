-- The registry of the kommunale Träger (§ 6 Abs. 1 Nr. 2 SGB II) and their Jobcenter.
CREATE TABLE traeger (
    ags            TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('landkreis', 'kreisfreie_stadt')),
    jobcenter_id   TEXT NOT NULL UNIQUE,
    jobcenter_name TEXT NOT NULL,
    jobcenter_form TEXT NOT NULL CHECK (jobcenter_form IN ('zkt', 'ge')),
    version        BIGINT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- The ledger: append-only and hash-chained. `seq` is assigned inside a BEGIN IMMEDIATE
-- transaction, which holds the write lock until commit, so numbers follow commit order.
CREATE TABLE audit_events (
    seq           BIGINT NOT NULL PRIMARY KEY,
    occurred_at   TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    actor_traeger TEXT,
    action        TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    before_state  TEXT,
    after_state   TEXT,
    request_id    TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused');
END;

-- Idempotency keys live in the database so that any replica can replay a response.
CREATE TABLE idempotency_keys (
    actor               TEXT NOT NULL,
    idempotency_key     TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    response_body       TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (actor, idempotency_key)
);
