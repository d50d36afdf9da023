//! The ledger table: appends under a lock, reads in `seq` order.
//!
//! Commit order: on PostgreSQL, `append` first takes a SHARE ROW EXCLUSIVE lock on
//! `audit_events`, which conflicts with itself and is held until the transaction ends. The next
//! writer therefore reads the last `seq` only after the previous writer committed or rolled back,
//! so `seq` grows without gaps in exactly the order in which transactions commit, and a reader
//! who has seen `seq = n` can never later see a new event with a lower number. Appending is the
//! last step of every write, so the lock is held only for the insert and the commit. On SQLite
//! every write transaction begins IMMEDIATE (see `pool::write_transaction`) and holds the
//! database's single write lock, which gives the same order.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::audit_events::{self, dsl};
use crate::domain::actor::Actor;
use crate::domain::audit::{AuditEvent, AuditFilter, Change, FeedEntry, GENESIS_HASH};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
struct AuditEventRow {
    seq: i64,
    occurred_at: NaiveDateTime,
    actor: String,
    actor_role: String,
    actor_traeger: Option<String>,
    action: String,
    entity_type: String,
    entity_id: String,
    before_state: Option<String>,
    after_state: Option<String>,
    request_id: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(r: AuditEventRow) -> Self {
        AuditEvent {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor: r.actor,
            actor_role: r.actor_role,
            actor_traeger: r.actor_traeger,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before_state: r.before_state,
            after_state: r.after_state,
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

impl From<AuditEvent> for AuditEventRow {
    fn from(e: AuditEvent) -> Self {
        AuditEventRow {
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor: e.actor,
            actor_role: e.actor_role,
            actor_traeger: e.actor_traeger,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before_state: e.before_state,
            after_state: e.after_state,
            request_id: e.request_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// Takes the ledger's lock for the rest of the caller's transaction (or finds it held):
/// whatever is numbered under it (ledger entries, events, deliveries) is numbered in commit
/// order. SQLite's write transactions hold its single write lock already.
pub(crate) fn lock(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(_) = conn {
        diesel::sql_query("LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE").execute(conn)?;
    }
    Ok(())
}

/// Appends one event in the caller's transaction; must be the transaction's last write.
pub fn append(
    conn: &mut DbConnection,
    actor: &Actor,
    at: NaiveDateTime,
    change: Change,
) -> QueryResult<AuditEvent> {
    lock(conn)?;
    let last: Option<(i64, String)> = dsl::audit_events
        .select((dsl::seq, dsl::hash))
        .order(dsl::seq.desc())
        .first(conn)
        .optional()?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut event = AuditEvent {
        seq: prev_seq + 1,
        occurred_at: at,
        actor: actor.sub.clone(),
        actor_role: actor.role.as_str().to_owned(),
        actor_traeger: actor.traeger.as_ref().map(ToString::to_string),
        action: change.action.to_owned(),
        entity_type: change.entity_type.to_owned(),
        entity_id: change.entity_id,
        before_state: change.before.map(|v| v.to_string()),
        after_state: change.after.map(|v| v.to_string()),
        request_id: actor.request_id.clone(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event.compute_hash();
    diesel::insert_into(dsl::audit_events)
        .values(AuditEventRow::from(event.clone()))
        .execute(conn)?;
    Ok(event)
}

/// Events in `seq` order after `after_seq`, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    let mut q = dsl::audit_events
        .select(AuditEventRow::as_select())
        .filter(dsl::seq.gt(after_seq))
        .into_boxed();
    if let Some(t) = &filter.entity_type {
        q = q.filter(dsl::entity_type.eq(t));
    }
    if let Some(id) = &filter.entity_id {
        q = q.filter(dsl::entity_id.eq(id));
    }
    if let Some(actor) = &filter.actor {
        q = q.filter(dsl::actor.eq(actor));
    }
    Ok(q.order(dsl::seq.asc())
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
struct FeedRow {
    seq: i64,
    occurred_at: NaiveDateTime,
    entity_type: String,
    entity_id: String,
    action: String,
    after_state: Option<String>,
}

/// Changes in `seq` order after `after_seq`, at most `limit`; reads only the columns the feed
/// shows, so a catch-up from 0 does not carry every state twice.
pub fn changes(conn: &mut DbConnection, after_seq: i64, limit: i64) -> QueryResult<Vec<FeedEntry>> {
    let rows: Vec<FeedRow> = dsl::audit_events
        .select(FeedRow::as_select())
        .filter(dsl::seq.gt(after_seq))
        .order(dsl::seq.asc())
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| FeedEntry {
            seq: r.seq,
            occurred_at: r.occurred_at,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            action: r.action,
            after_state: r.after_state,
        })
        .collect())
}

/// Whether `actor` ever wrote anything.
pub fn has_actor(conn: &mut DbConnection, actor: &str) -> QueryResult<bool> {
    let n: i64 = dsl::audit_events
        .filter(dsl::actor.eq(actor))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
