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

-- The ledger: append-only and hash-chained. `seq` is assigned under a table lock held until
-- commit (see src/store/ledger.rs), so numbers follow commit order without gaps.
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

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- Idempotency keys live in the database so that any replica can replay a response.
CREATE TABLE idempotency_keys (
    actor               TEXT NOT NULL,
    idempotency_key     TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    response_body       TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (actor, idempotency_key)
);
