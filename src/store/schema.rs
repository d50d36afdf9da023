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

diesel::table! {
    indicators (code, valid_from) {
        code -> Text,
        valid_from -> Integer,
        section -> Text,
        name_de -> Text,
        description_de -> Nullable<Text>,
        unit -> Text,
        measure -> Text,
        source -> Text,
        reference -> Text,
        part_of -> Nullable<Text>,
        breakdown_by_reporting_body -> Bool,
        discontinued -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_templates (year) {
        year -> Integer,
        content -> Text,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        traeger -> Text,
        year -> Integer,
        kind -> Text,
        legal_basis -> Text,
        benefits -> Text,
        sections -> Text,
        targets -> Text,
        status -> Text,
        supersedes -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    obligations (id) {
        id -> Text,
        agreement_id -> Text,
        position -> Integer,
        section -> Text,
        title_de -> Text,
        delivered_by -> Text,
        recipients -> Text,
        due -> Nullable<Date>,
        note -> Nullable<Text>,
        text_de -> Nullable<Text>,
    }
}

diesel::table! {
    obligation_indicators (obligation_id, indicator_code) {
        obligation_id -> Text,
        position -> Integer,
        indicator_code -> Text,
    }
}

diesel::table! {
    signatures (agreement_id, party) {
        agreement_id -> Text,
        party -> Text,
        signatories -> Text,
        place -> Text,
        signed_on -> Date,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    submissions (id) {
        id -> Text,
        obligation_id -> Text,
        agreement_id -> Text,
        traeger -> Text,
        year -> Integer,
        section -> Text,
        due -> Nullable<Date>,
        recipients -> Text,
        status -> Text,
        current_revision -> Integer,
        accepted_revision -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    submission_revisions (submission_id, revision) {
        submission_id -> Text,
        revision -> Integer,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        days_late -> Nullable<Integer>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        return_reason -> Nullable<Text>,
        confirmation -> Nullable<Text>,
    }
}

diesel::table! {
    submission_values (submission_id, revision, indicator_code, reporting_body) {
        submission_id -> Text,
        revision -> Integer,
        position -> Integer,
        indicator_code -> Text,
        reporting_body -> Text,
        unit -> Text,
        value_int -> Nullable<BigInt>,
        value_text -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    submission_receipts (submission_id, revision, recipient) {
        submission_id -> Text,
        revision -> Integer,
        recipient -> Text,
        confirmed_by -> Text,
        confirmed_at -> Timestamp,
    }
}

diesel::table! {
    transmissions (id) {
        id -> Text,
        year -> Integer,
        ba_reference -> Text,
        requested_on -> Date,
        note -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    transmission_indicators (transmission_id, indicator_code) {
        transmission_id -> Text,
        position -> Integer,
        indicator_code -> Text,
        section -> Text,
        unit -> Text,
        forwardable -> Bool,
    }
}

diesel::table! {
    transmission_versions (transmission_id, version_no) {
        transmission_id -> Text,
        version_no -> Integer,
        reason -> Nullable<Text>,
        received_by -> Text,
        received_at -> Timestamp,
        forwarded_by -> Nullable<Text>,
        forwarded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    transmission_rows (transmission_id, version_no, traeger, indicator_code, month) {
        transmission_id -> Text,
        version_no -> Integer,
        position -> Integer,
        traeger -> Text,
        indicator_code -> Text,
        unit -> Text,
        value_int -> Nullable<BigInt>,
        marker -> Nullable<Text>,
        provisional -> Bool,
        revised -> Bool,
        month -> Integer,
        data_as_of -> Nullable<Date>,
    }
}

diesel::table! {
    transmission_acknowledgements (transmission_id, version_no, traeger) {
        transmission_id -> Text,
        version_no -> Integer,
        traeger -> Text,
        acknowledged_by -> Text,
        acknowledged_at -> Timestamp,
    }
}

diesel::table! {
    revisions (subject) {
        subject -> Text,
        revision -> BigInt,
    }
}

diesel::table! {
    reporting_bodies (id) {
        id -> Text,
        traeger -> Text,
        name -> Text,
        kind -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (seq) {
        seq -> BigInt,
        id -> Text,
        event_type -> Text,
        occurred_at -> Timestamp,
        traeger -> Nullable<Text>,
        audience -> Text,
        data -> Text,
        once_key -> Nullable<Text>,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Text,
        owner -> Text,
        traeger -> Nullable<Text>,
        url -> Text,
        event_types -> Text,
        description -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        active -> Bool,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (seq) {
        seq -> BigInt,
        subscription_id -> Text,
        event_seq -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    delivery_attempts (delivery_seq, n) {
        delivery_seq -> BigInt,
        n -> Integer,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(obligation_indicators -> obligations (obligation_id));
diesel::joinable!(obligations -> agreements (agreement_id));
diesel::joinable!(deliveries -> subscriptions (subscription_id));
diesel::joinable!(deliveries -> events (event_seq));

diesel::allow_tables_to_appear_in_same_query!(subscriptions, deliveries, events);

diesel::allow_tables_to_appear_in_same_query!(
    agreements,
    obligations,
    obligation_indicators,
    submissions,
    submission_values
);
