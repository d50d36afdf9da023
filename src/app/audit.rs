//! Reading and verifying the ledger.

use super::{AppError, Services};
use crate::domain::audit::{AuditEvent, AuditFilter, ChainVerifier, FeedEntry, Verification};
use crate::store::ledger;
use crate::store::pool::snapshot_transaction;

const VERIFY_BATCH: i64 = 1000;

pub async fn list(
    services: &Services,
    filter: AuditFilter,
    after_seq: i64,
    limit: i64,
) -> Result<(Vec<AuditEvent>, bool), AppError> {
    services
        .page(limit, move |conn, n| {
            ledger::list(conn, &filter, after_seq, n)
        })
        .await
}

/// The change feed: at most `limit` changes after `after_seq`.
pub async fn changes(
    services: &Services,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<FeedEntry>, AppError> {
    services
        .db()
        .run(move |conn| ledger::changes(conn, after_seq, limit).map_err(AppError::from))
        .await
}

/// Walks the whole chain in batches, on one snapshot, so concurrent appends cannot confuse it.
pub async fn verify(services: &Services) -> Result<Verification, AppError> {
    services
        .db()
        .run(|conn| {
            snapshot_transaction(conn, |conn| {
                let mut verifier = ChainVerifier::default();
                let mut after = 0;
                loop {
                    let batch = ledger::list(conn, &AuditFilter::default(), after, VERIFY_BATCH)?;
                    let Some(last) = batch.last() else { break };
                    after = last.seq;
                    if !batch.iter().all(|e| verifier.feed(e))
                        || (batch.len() as i64) < VERIFY_BATCH
                    {
                        break;
                    }
                }
                Ok(verifier.finish())
            })
        })
        .await
}
