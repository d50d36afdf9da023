//! The delivery queue. Rows are written in the transaction of their event (under the ledger's
//! lock, so numbers grow in commit order); workers claim due rows with a lease, on PostgreSQL
//! skipping rows another replica is claiming at that moment, so no attempt is made twice at
//! once, and a replica that dies mid-attempt only delays the row until its lease ends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::deliveries::{self, dsl};
use super::super::schema::delivery_attempts::{self, dsl as adsl};
use super::super::schema::events::dsl as edsl;
use super::super::schema::subscriptions::dsl as sdsl;
use super::super::{DbConnection, corrupt};
use crate::domain::webhook::delivery::{Attempt, Delivery, DeliveryStatus};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliveries)]
struct Row {
    seq: i64,
    subscription_id: String,
    event_seq: i64,
    status: String,
    attempts: i32,
    next_attempt_at: Option<NaiveDateTime>,
    leased_until: Option<NaiveDateTime>,
    last_status: Option<i32>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = delivery_attempts)]
struct AttemptRow {
    delivery_seq: i64,
    n: i32,
    at: NaiveDateTime,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

/// Queues each (subscription, event number) of `wanted`, due at `now`, numbered after the last
/// delivery. The caller holds the ledger's lock (it writes the events, or a replay's ledger
/// entry, in the same transaction).
pub fn enqueue(
    conn: &mut DbConnection,
    wanted: &[(String, i64)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if wanted.is_empty() {
        return Ok(0);
    }
    let last: Option<i64> = dsl::deliveries
        .select(dsl::seq)
        .order(dsl::seq.desc())
        .first(conn)
        .optional()?;
    // One row at a time: batch inserts are not portable across the two backends in diesel.
    for ((subscription, event_seq), seq) in wanted.iter().zip(last.unwrap_or(0) + 1..) {
        let row = Row {
            seq,
            subscription_id: subscription.clone(),
            event_seq: *event_seq,
            status: DeliveryStatus::Pending.as_str().to_owned(),
            attempts: 0,
            next_attempt_at: Some(now),
            leased_until: None,
            last_status: None,
            last_error: None,
            created_at: now,
            delivered_at: None,
        };
        diesel::insert_into(dsl::deliveries)
            .values(&row)
            .execute(conn)?;
    }
    Ok(wanted.len())
}

/// One claimed row: its number, how many attempts were made, its subscription and event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub seq: i64,
    pub attempts: i32,
    pub subscription_id: String,
    pub event_seq: i64,
}

/// Claims up to `limit` due rows of active subscriptions until `lease_until`. Run in a write
/// transaction.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let active = sdsl::subscriptions
        .filter(sdsl::active.eq(true))
        .select(sdsl::id);
    let due = dsl::deliveries
        .filter(dsl::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(dsl::next_attempt_at.le(now))
        .filter(dsl::leased_until.is_null().or(dsl::leased_until.lt(now)))
        .filter(dsl::subscription_id.eq_any(active))
        .order(dsl::next_attempt_at.asc())
        .limit(limit)
        .select((
            dsl::seq,
            dsl::attempts,
            dsl::subscription_id,
            dsl::event_seq,
        ));
    let rows: Vec<(i64, i32, String, i64)> = match conn {
        // Rows another replica is claiming are skipped, not waited for.
        DbConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
        // One writer at a time: the write transaction is the claim.
        DbConnection::Sqlite(lite) => due.load(lite)?,
    };
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    diesel::update(dsl::deliveries.filter(dsl::seq.eq_any(&seqs)))
        .set(dsl::leased_until.eq(lease_until))
        .execute(conn)?;
    Ok(rows
        .into_iter()
        .map(|(seq, attempts, subscription_id, event_seq)| Claimed {
            seq,
            attempts,
            subscription_id,
            event_seq,
        })
        .collect())
}

/// What an attempt left: the row's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<NaiveDateTime>,
}

/// Records attempt `attempt` of a claimed row, if nobody recorded it first (a row whose lease
/// ran out may have been sent again); whether it was recorded.
pub fn finish(
    conn: &mut DbConnection,
    seq: i64,
    attempt: &Attempt,
    outcome: &Outcome,
) -> QueryResult<bool> {
    let delivered = (outcome.status == DeliveryStatus::Delivered).then_some(attempt.at);
    let n = diesel::update(
        dsl::deliveries
            .filter(dsl::seq.eq(seq))
            .filter(dsl::attempts.eq(attempt.n - 1)),
    )
    .set((
        dsl::attempts.eq(attempt.n),
        dsl::status.eq(outcome.status.as_str()),
        dsl::next_attempt_at.eq(outcome.next_attempt_at),
        dsl::leased_until.eq(None::<NaiveDateTime>),
        dsl::last_status.eq(attempt.status_code),
        dsl::last_error.eq(attempt.error.clone()),
        dsl::delivered_at.eq(delivered),
    ))
    .execute(conn)?;
    if n == 1 {
        diesel::insert_into(adsl::delivery_attempts)
            .values(AttemptRow {
                delivery_seq: seq,
                n: attempt.n,
                at: attempt.at,
                status_code: attempt.status_code,
                error: attempt.error.clone(),
                duration_ms: attempt.duration_ms,
            })
            .execute(conn)?;
    }
    Ok(n == 1)
}

/// Makes a row due again at `now`, whatever it came to.
pub fn requeue(conn: &mut DbConnection, seq: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(dsl::deliveries.filter(dsl::seq.eq(seq)))
        .set((
            dsl::status.eq(DeliveryStatus::Pending.as_str()),
            dsl::next_attempt_at.eq(Some(now)),
            dsl::leased_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

/// The deliveries of a subscription after `after`, newest last, at most `limit`, with their
/// attempts.
pub fn of(
    conn: &mut DbConnection,
    subscription: &str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    let rows: Vec<(Row, (String, String))> = dsl::deliveries
        .inner_join(edsl::events)
        .filter(dsl::subscription_id.eq(subscription))
        .filter(dsl::seq.gt(after))
        .order(dsl::seq.asc())
        .limit(limit)
        .select((Row::as_select(), (edsl::id, edsl::event_type)))
        .load(conn)?;
    with_attempts(conn, rows)
}

/// One delivery of a subscription.
pub fn find(
    conn: &mut DbConnection,
    subscription: &str,
    seq: i64,
) -> QueryResult<Option<Delivery>> {
    let rows: Vec<(Row, (String, String))> = dsl::deliveries
        .inner_join(edsl::events)
        .filter(dsl::subscription_id.eq(subscription))
        .filter(dsl::seq.eq(seq))
        .select((Row::as_select(), (edsl::id, edsl::event_type)))
        .load(conn)?;
    Ok(with_attempts(conn, rows)?.pop())
}

fn with_attempts(
    conn: &mut DbConnection,
    rows: Vec<(Row, (String, String))>,
) -> QueryResult<Vec<Delivery>> {
    let seqs: Vec<i64> = rows.iter().map(|(r, _)| r.seq).collect();
    let attempts: Vec<AttemptRow> = adsl::delivery_attempts
        .filter(adsl::delivery_seq.eq_any(&seqs))
        .order((adsl::delivery_seq.asc(), adsl::n.asc()))
        .select(AttemptRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|(r, (event_id, event_type))| {
            Ok(Delivery {
                seq: r.seq,
                subscription_id: r.subscription_id,
                event_seq: r.event_seq,
                event_id,
                event_type,
                status: r.status.parse().map_err(corrupt)?,
                attempts: attempts
                    .iter()
                    .filter(|a| a.delivery_seq == r.seq)
                    .map(|a| Attempt {
                        n: a.n,
                        at: a.at,
                        status_code: a.status_code,
                        error: a.error.clone(),
                        duration_ms: a.duration_ms,
                    })
                    .collect(),
                next_attempt_at: r.next_attempt_at,
                created_at: r.created_at,
                delivered_at: r.delivered_at,
            })
        })
        .collect()
}

/// How many deliveries wait, and since when the oldest of them.
pub fn backlog(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let pending = dsl::deliveries.filter(dsl::status.eq(DeliveryStatus::Pending.as_str()));
    let depth: i64 = pending.count().get_result(conn)?;
    let oldest: Option<NaiveDateTime> = pending
        .select(diesel::dsl::min(dsl::created_at))
        .first(conn)?;
    Ok((depth, oldest))
}
