// One portable schema for both backends: only Text, BigInt and Timestamp columns, so the
// same diesel code path serves SQLite and PostgreSQL.

diesel::table! {
    traeger (ags) {
        ags -> Text,
        name -> Text,
        kind -> Text,
        jobcenter_id -> Text,
        jobcenter_name -> Text,
        jobcenter_form -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        occurred_at -> Timestamp,
        actor -> Text,
        actor_role -> Text,
        actor_traeger -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        request_id -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    idempotency_keys (actor, idempotency_key) {
        actor -> Text,
        idempotency_key -> Text,
        request_fingerprint -> Text,
        response_body -> Text,
        created_at -> Timestamp,
    }
}
