-- Webhook subscriptions: where a Träger, a Jobcenter or HMSI wants events sent. The secret
-- signs every delivery (Standard Webhooks); after a rotation the previous one signs too until
-- `previous_secret_until`, so receivers can switch without losing a delivery.
CREATE TABLE subscriptions (
    id                    TEXT NOT NULL PRIMARY KEY,
    -- `hmsi`, `traeger:06633` or `jobcenter:06633`: who may see and change it.
    owner                 TEXT NOT NULL,
    -- The Träger whose events it receives; null for HMSI's subscription to all.
    traeger               TEXT,
    url                   TEXT NOT NULL,
    -- Space-separated event types.
    event_types           TEXT NOT NULL,
    description           TEXT NOT NULL,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until TIMESTAMP,
    active                BOOLEAN NOT NULL,
    disabled_reason       TEXT,
    -- Since when every delivery failed; null while deliveries succeed.
    failing_since         TIMESTAMP,
    version               BIGINT NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX subscriptions_owner ON subscriptions (owner, id);

-- One event to send to one subscription, written in the transaction that wrote the event (or
-- by a replay); numbered under the ledger's lock like the events.
CREATE TABLE deliveries (
    seq             BIGINT NOT NULL PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    event_seq       BIGINT NOT NULL REFERENCES events (seq),
    -- pending, delivered or failed.
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    -- A worker's claim: nobody else sends it before then.
    leased_until    TIMESTAMP,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_of ON deliveries (subscription_id, seq);

-- Every attempt, for the subscriber's view of what happened.
CREATE TABLE delivery_attempts (
    delivery_seq BIGINT NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    at           TIMESTAMP NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL,
    PRIMARY KEY (delivery_seq, n)
);
