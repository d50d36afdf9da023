//! Events for integrators: written to the outbox in the transaction of the change that caused
//! them, read back by each reader as far as it may know of them.

use chrono::NaiveDateTime;
use serde_json::json;

use super::webhooks::fanout;
use super::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::notice::{Audience, EventType, Notice, Published, Subject};
use crate::store::DbConnection;
use crate::store::events::{self as store, NewEvent, Selection};

/// The payload's `data`: the ids of what the event is about, and where to read it through the
/// API (so every read stays authorised and audited).
fn data(subject: &Subject) -> serde_json::Value {
    match subject {
        Subject::Agreement(id) => json!({
            "agreement_id": id,
            "links": {"agreement": format!("/api/v1/agreements/{id}")},
        }),
        Subject::Submission { id, revision } => json!({
            "submission_id": id,
            "revision": revision,
            "links": {
                "submission": format!("/api/v1/submissions/{id}"),
                "revision": format!("/api/v1/submissions/{id}/revisions/{revision}"),
            },
        }),
        Subject::Transmission { id, version } => json!({
            "transmission_id": id,
            "version": version,
            "links": {
                "transmission": format!("/api/v1/transmissions/{id}"),
                "data": format!("/api/v1/transmissions/{id}/data"),
            },
        }),
        Subject::Obligation(id) => json!({
            "obligation_id": id,
            "agreement_id": id.agreement(),
            "links": {"obligations": format!("/api/v1/agreements/{}/obligations", id.agreement())},
        }),
    }
}

/// An event as a webhook carries it: `{id, type, occurred_at, traeger, data}`.
pub fn payload(e: &Published) -> Vec<u8> {
    let body = json!({
        "id": e.id,
        "type": e.event_type,
        "occurred_at": e.occurred_at.and_utc(),
        "traeger": e.traeger,
        "data": e.data_json(),
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

fn new_event(n: Notice, at: NaiveDateTime, once_key: Option<String>) -> NewEvent {
    NewEvent {
        id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
        event_type: n.event_type,
        occurred_at: at,
        traeger: n.traeger,
        audience: n.audience.tokens(),
        data: data(&n.subject).to_string(),
        once_key,
    }
}

/// Writes the notices of a change in its transaction; their numbers.
pub(super) fn publish(
    conn: &mut DbConnection,
    notices: Vec<Notice>,
    at: NaiveDateTime,
) -> Result<Vec<i64>, AppError> {
    let new = notices
        .iter()
        .map(|n| new_event(n.clone(), at, None))
        .collect();
    let seqs = store::append(conn, new)?;
    // In the same transaction too: no event without its deliveries.
    let written: Vec<(Notice, i64)> = notices.into_iter().zip(seqs.iter().copied()).collect();
    fanout::queue(conn, &written, at)?;
    Ok(seqs)
}

/// Writes a notice only once for its key, whichever replica asks first; its number, if written
/// now.
pub(super) fn publish_once(
    conn: &mut DbConnection,
    notice: Notice,
    key: String,
    at: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    let seq = store::append_once(conn, new_event(notice.clone(), at, Some(key)))?;
    if let Some(seq) = seq {
        fanout::queue(conn, &[(notice, seq)], at)?;
    }
    Ok(seq)
}

/// The events after `after` the caller may know of, of `types` (all when empty), in commit
/// order.
pub async fn feed(
    services: &Services,
    visibility: Visibility,
    after: i64,
    limit: i64,
    types: Vec<EventType>,
) -> Result<Vec<Published>, AppError> {
    let token = Audience::token_of(&visibility);
    services
        .db()
        .run(move |conn| {
            let selection = Selection {
                token: token.as_deref(),
                after,
                limit,
                types: &types,
                since: None,
            };
            Ok(store::after(conn, selection)?)
        })
        .await
}
