//! Fan-out: each event written is queued, in the same transaction, for every active
//! subscription that wants it and whose owner may know of it. A subscription made later does
//! not receive what was written before it (a replay does).

use chrono::NaiveDateTime;

use crate::app::AppError;
use crate::domain::notice::Notice;
use crate::store::DbConnection;
use crate::store::webhooks::{self as store, deliveries};

/// Queues the events `written` (each notice with its number); how many deliveries it queued.
pub(crate) fn queue(
    conn: &mut DbConnection,
    written: &[(Notice, i64)],
    at: NaiveDateTime,
) -> Result<usize, AppError> {
    if written.is_empty() {
        return Ok(0);
    }
    let subscriptions = store::active(conn)?;
    let wanted: Vec<(String, i64)> = written
        .iter()
        .flat_map(|(notice, seq)| {
            subscriptions
                .iter()
                .filter(|s| s.wants(notice))
                .map(move |s| (s.id.clone(), *seq))
        })
        .collect();
    Ok(deliveries::enqueue(conn, &wanted, at)?)
}
