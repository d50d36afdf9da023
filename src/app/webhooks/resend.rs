//! What a subscriber sees of its deliveries, and sending again on request: one delivery
//! retried now, or every event since a time replayed (after an outage of the receiver longer
//! than the retry schedule, or to fill a new receiver).

use chrono::NaiveDateTime;

use super::held;
use crate::app::{AppError, Services, record};
use crate::domain::Transition;
use crate::domain::actor::{Actor, Visibility};
use crate::domain::webhook::delivery::Delivery;
use crate::domain::webhook::{Subscription, SubscriptionEvent};
use crate::store::DbConnection;
use crate::store::events::{self, Selection};
use crate::store::pool::write_transaction;
use crate::store::webhooks::deliveries;

/// The most events one replay queues; a longer one is split by `since`.
pub const MAX_REPLAY: i64 = 10_000;

/// The subscription's deliveries after `after`, oldest first.
pub async fn list(
    services: &Services,
    visibility: Visibility,
    id: String,
    after: i64,
    limit: i64,
) -> Result<(Vec<Delivery>, bool), AppError> {
    let rows = services
        .db()
        .run(move |conn| {
            held(conn, &visibility, &id)?;
            Ok::<_, AppError>(deliveries::of(conn, &id, after, limit + 1)?)
        })
        .await?;
    Ok(crate::app::split_page(rows, limit))
}

/// Records in the ledger that `s` had events sent again.
fn resent(
    conn: &mut DbConnection,
    actor: &Actor,
    s: &Subscription,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let t = Transition {
        state: s.clone(),
        event: SubscriptionEvent::Resent,
    };
    record(conn, actor, Some(s), &t, at)
}

/// Sends delivery `seq` again now, whatever it came to; the delivery as it stands.
pub async fn retry(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: String,
    seq: i64,
) -> Result<Delivery, AppError> {
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let s = held(conn, &visibility, &id)?;
                deliveries::find(conn, &id, seq)?.ok_or(AppError::NotFound)?;
                let at = crate::app::now();
                resent(conn, &actor, &s, at)?;
                deliveries::requeue(conn, seq, at)?;
                deliveries::find(conn, &id, seq)?.ok_or(AppError::NotFound)
            })
        })
        .await
}

/// Queues again every event since `since` the subscription wants and its owner may know of;
/// how many.
pub async fn replay(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: String,
    since: NaiveDateTime,
) -> Result<usize, AppError> {
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let s = held(conn, &visibility, &id)?;
                let at = crate::app::now();
                // First: the ledger entry takes the lock the queue is numbered under.
                resent(conn, &actor, &s, at)?;
                let token = s.reader();
                let selection = Selection {
                    token: token.as_deref(),
                    after: 0,
                    limit: MAX_REPLAY + 1,
                    types: &s.event_types,
                    since: Some(since),
                };
                let found = events::after(conn, selection)?;
                if found.len() as i64 > MAX_REPLAY {
                    return Err(AppError::invalid(
                        "/since",
                        format!(
                            "more than {MAX_REPLAY} events occurred since then; replay from a later time"
                        ),
                    ));
                }
                let wanted: Vec<(String, i64)> =
                    found.iter().map(|e| (s.id.clone(), e.seq)).collect();
                Ok(deliveries::enqueue(conn, &wanted, at)?)
            })
        })
        .await
}
