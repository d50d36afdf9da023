use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::idempotency_keys::dsl;

/// The first response given for a key, and the fingerprint of the request that earned it.
pub struct StoredResponse {
    pub request_fingerprint: String,
    pub response_body: String,
}

pub fn find(
    conn: &mut DbConnection,
    actor: &str,
    key: &str,
) -> QueryResult<Option<StoredResponse>> {
    dsl::idempotency_keys
        .filter(dsl::actor.eq(actor))
        .filter(dsl::idempotency_key.eq(key))
        .select((dsl::request_fingerprint, dsl::response_body))
        .first::<(String, String)>(conn)
        .optional()
        .map(|o| {
            o.map(|(request_fingerprint, response_body)| StoredResponse {
                request_fingerprint,
                response_body,
            })
        })
}

pub fn insert(
    conn: &mut DbConnection,
    actor: &str,
    key: &str,
    fingerprint: &str,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(dsl::idempotency_keys)
        .values((
            dsl::actor.eq(actor),
            dsl::idempotency_key.eq(key),
            dsl::request_fingerprint.eq(fingerprint),
            dsl::response_body.eq(body),
            dsl::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}
