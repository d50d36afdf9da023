-- The last number handed out under each prefix of an id (`zv-2023-06633-`, `ba-2023-`,
-- `rb-06633-`, `wh-`). A number is never handed out twice, a discarded object's included, so a
-- printed reference never names another object. Creating an object raises its prefix's row in
-- the creating transaction: one statement, and concurrent creators under one prefix wait for
-- each other on that row.
CREATE TABLE id_counters (
    kind   TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last   BIGINT NOT NULL CHECK (last > 0),
    PRIMARY KEY (kind, prefix)
);
-- Starts above every number in use and every number the ledger saw created.
INSERT INTO id_counters (kind, prefix, last)
SELECT kind, prefix, MAX(CAST(substr(id, length(prefix) + 1) AS BIGINT))
FROM (
    SELECT kind, id, rtrim(id, '0123456789') AS prefix
    FROM (
        SELECT entity_type AS kind, entity_id AS id FROM audit_events
        WHERE action = 'create'
          AND entity_type IN ('agreement', 'transmission', 'reporting_body', 'subscription')
        UNION ALL SELECT 'agreement', id FROM agreements
        UNION ALL SELECT 'transmission', id FROM transmissions
        UNION ALL SELECT 'reporting_body', id FROM reporting_bodies
        UNION ALL SELECT 'subscription', id FROM subscriptions
    ) AS ids
) AS numbered
WHERE length(id) > length(prefix)
GROUP BY kind, prefix;
