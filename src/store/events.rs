//! The outbox: events appended in commit order, read by who may know of them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::events::{self, dsl};
use super::{DbConnection, corrupt, ledger};
use crate::domain::notice::{EventType, Published};
use crate::domain::traeger::Ags;

/// An event to append: all but its number.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: String,
    pub event_type: EventType,
    pub occurred_at: NaiveDateTime,
    pub traeger: Option<Ags>,
    pub audience: String,
    pub data: String,
    /// Set for an event written once only (a deadline's, by obligation and kind).
    pub once_key: Option<String>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
struct Row {
    seq: i64,
    id: String,
    event_type: String,
    occurred_at: NaiveDateTime,
    traeger: Option<String>,
    audience: String,
    data: String,
    once_key: Option<String>,
}

impl TryFrom<Row> for Published {
    type Error = diesel::result::Error;
    fn try_from(r: Row) -> Result<Self, Self::Error> {
        Ok(Published {
            seq: r.seq,
            id: r.id,
            event_type: r.event_type.parse().map_err(corrupt)?,
            occurred_at: r.occurred_at,
            traeger: r
                .traeger
                .map(|t| Ags::parse(&t))
                .transpose()
                .map_err(corrupt)?,
            data: r.data,
        })
    }
}

/// Appends events in the caller's transaction, numbered after the last. Like the ledger's
/// `append` (whose lock it takes, or holds already), so numbers grow in commit order and a
/// reader who has seen `n` never later finds a new event below it.
pub fn append(conn: &mut DbConnection, new: Vec<NewEvent>) -> QueryResult<Vec<i64>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    ledger::lock(conn)?;
    insert(conn, new)
}

/// Inserts events numbered after the last; the caller holds the lock.
fn insert(conn: &mut DbConnection, new: Vec<NewEvent>) -> QueryResult<Vec<i64>> {
    let last: Option<i64> = dsl::events
        .select(dsl::seq)
        .order(dsl::seq.desc())
        .first(conn)
        .optional()?;
    let mut seq = last.unwrap_or(0);
    let mut numbers = Vec::with_capacity(new.len());
    for e in new {
        seq += 1;
        diesel::insert_into(dsl::events)
            .values(Row {
                seq,
                id: e.id,
                event_type: e.event_type.as_str().to_owned(),
                occurred_at: e.occurred_at,
                traeger: e.traeger.map(String::from),
                audience: e.audience,
                data: e.data,
                once_key: e.once_key,
            })
            .execute(conn)?;
        numbers.push(seq);
    }
    Ok(numbers)
}

/// Appends an event unless one with its once-key was written; its number, if appended. The
/// check is made under the append's lock, so two replicas never both write it.
pub fn append_once(conn: &mut DbConnection, new: NewEvent) -> QueryResult<Option<i64>> {
    ledger::lock(conn)?;
    let key = new.once_key.clone().unwrap_or_default();
    let n: i64 = dsl::events
        .filter(dsl::once_key.eq(&key))
        .count()
        .get_result(conn)?;
    if n > 0 {
        return Ok(None);
    }
    Ok(insert(conn, vec![new])?.pop())
}

/// Which events to read: those after `after` in commit order, at most `limit`, of `types` (all
/// when empty), that occurred at or after `since` (if set), that a reader holding `token` may
/// know of (every one when `token` is None: HMSI).
#[derive(Debug, Clone, Default)]
pub struct Selection<'a> {
    pub token: Option<&'a str>,
    pub after: i64,
    pub limit: i64,
    pub types: &'a [EventType],
    pub since: Option<NaiveDateTime>,
}

pub fn after(conn: &mut DbConnection, s: Selection<'_>) -> QueryResult<Vec<Published>> {
    let Selection {
        token,
        after,
        limit,
        types,
        since,
    } = s;
    let mut q = dsl::events.filter(dsl::seq.gt(after)).into_boxed();
    if let Some(since) = since {
        q = q.filter(dsl::occurred_at.ge(since));
    }
    if let Some(token) = token {
        // Tokens are separated by spaces and never a prefix of one another.
        q = q.filter(
            dsl::audience
                .eq(token.to_owned())
                .or(dsl::audience.like(format!("{token} %")))
                .or(dsl::audience.like(format!("% {token}")))
                .or(dsl::audience.like(format!("% {token} %"))),
        );
    }
    if !types.is_empty() {
        q = q.filter(dsl::event_type.eq_any(types.iter().map(|t| t.as_str())));
    }
    q.order(dsl::seq.asc())
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Published::try_from)
        .collect()
}

/// The events with these numbers, in order.
pub fn numbered(conn: &mut DbConnection, seqs: &[i64]) -> QueryResult<Vec<Published>> {
    dsl::events
        .filter(dsl::seq.eq_any(seqs))
        .order(dsl::seq.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Published::try_from)
        .collect()
}
