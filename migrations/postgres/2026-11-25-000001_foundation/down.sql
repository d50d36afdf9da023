DROP TABLE idempotency_keys;
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP TABLE audit_events;
DROP FUNCTION audit_events_refuse_change();
DROP TABLE traeger;
