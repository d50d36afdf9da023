//! The ledger's events and their hash chain.
//!
//! Each event's hash covers every field of the event and the previous event's hash, so changing,
//! removing or reordering any event breaks the chain from that event on.

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// An object whose changes the ledger records, under the names the change feed shows.
pub trait Recorded: Serialize {
    const ENTITY_TYPE: &'static str;
    fn entity_id(&self) -> String;
}

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A write about to be recorded: what happened to which entity, with its state before and after.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn of<T: Serialize>(
        action: &'static str,
        entity_type: &'static str,
        entity_id: impl Into<String>,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        // Serialising our own domain types cannot fail: they hold no maps with non-string keys.
        let json = |v: &T| serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
        Self {
            action,
            entity_type,
            entity_id: entity_id.into(),
            before: before.map(json),
            after: after.map(json),
        }
    }

    /// `action` made `after` of `before` (None when it was created).
    pub fn recorded<T: Recorded>(action: &'static str, before: Option<&T>, after: &T) -> Self {
        Self::of(
            action,
            T::ENTITY_TYPE,
            after.entity_id(),
            before,
            Some(after),
        )
    }

    /// The end of an entity that is discarded: its last state, and none after it, so a reader
    /// of the feed removes it.
    pub fn ended<T: Recorded>(action: &'static str, before: &T) -> Self {
        Self::of(
            action,
            T::ENTITY_TYPE,
            before.entity_id(),
            Some(before),
            None,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub actor_role: String,
    pub actor_traeger: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The JSON text exactly as stored: the hash covers these bytes.
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// SHA-256 over a canonical form: every field length-prefixed in a fixed order, absent
    /// values distinct from empty ones, times in RFC 3339 with microseconds.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |name: &str, value: Option<&str>| {
            h.update(name.as_bytes());
            match value {
                Some(v) => {
                    h.update(format!("={}:", v.len()).as_bytes());
                    h.update(v.as_bytes());
                }
                None => h.update(b"=null"),
            }
            h.update(b"\n");
        };
        field("seq", Some(&self.seq.to_string()));
        field(
            "occurred_at",
            Some(
                &self
                    .occurred_at
                    .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                    .to_string(),
            ),
        );
        field("actor", Some(&self.actor));
        field("actor_role", Some(&self.actor_role));
        field("actor_traeger", self.actor_traeger.as_deref());
        field("action", Some(&self.action));
        field("entity_type", Some(&self.entity_type));
        field("entity_id", Some(&self.entity_id));
        field("before_state", self.before_state.as_deref());
        field("after_state", self.after_state.as_deref());
        field("request_id", Some(&self.request_id));
        field("prev_hash", Some(&self.prev_hash));
        hex::encode(h.finalize())
    }
}

/// Which events a page of the ledger shows.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
}

/// An event as the change feed shows it: without the state before, the actor and the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub seq: i64,
    pub occurred_at: NaiveDateTime,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    /// The JSON text exactly as stored, passed on without being parsed.
    pub after_state: Option<String>,
}

/// Result of walking the chain from the first event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub checked: i64,
    pub first_bad_seq: Option<i64>,
}

/// Walks events in `seq` order, batch by batch, and remembers the first broken link.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    checked: i64,
    first_bad_seq: Option<i64>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            checked: 0,
            first_bad_seq: None,
        }
    }
}

impl ChainVerifier {
    /// Returns false once a bad event was found: nothing after it can be trusted.
    pub fn feed(&mut self, event: &AuditEvent) -> bool {
        if self.first_bad_seq.is_some() {
            return false;
        }
        self.checked += 1;
        // A gap means a deleted event; a wrong prev_hash a removed or reordered one; a wrong
        // hash a changed one.
        let intact = event.seq == self.expected_seq
            && event.prev_hash == self.prev_hash
            && event.hash == event.compute_hash();
        if !intact {
            self.first_bad_seq = Some(self.expected_seq.min(event.seq));
            return false;
        }
        self.expected_seq += 1;
        self.prev_hash = event.hash.clone();
        true
    }

    pub fn finish(self) -> Verification {
        Verification {
            ok: self.first_bad_seq.is_none(),
            checked: self.checked,
            first_bad_seq: self.first_bad_seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    seq,
                    occurred_at: chrono::DateTime::from_timestamp(1_700_000_000 + seq, 0)
                        .unwrap()
                        .naive_utc(),
                    actor: "hmsi-dev".into(),
                    actor_role: "hmsi".into(),
                    actor_traeger: None,
                    action: "update".into(),
                    entity_type: "traeger".into(),
                    entity_id: "06633".into(),
                    before_state: Some(format!("{{\"v\":{}}}", seq - 1)),
                    after_state: Some(format!("{{\"v\":{seq}}}")),
                    request_id: format!("r{seq}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent]) -> Verification {
        let mut v = ChainVerifier::default();
        for e in events {
            if !v.feed(e) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn intact_chain_verifies() {
        let v = verify(&chain(5));
        assert_eq!((v.ok, v.checked, v.first_bad_seq), (true, 5, None));
    }

    #[test]
    fn a_changed_field_is_found_at_its_event() {
        let mut events = chain(5);
        events[2].after_state = Some("{\"v\":999}".into());
        assert_eq!(verify(&events).first_bad_seq, Some(3));
    }

    #[test]
    fn a_removed_event_is_found_where_the_gap_starts() {
        let mut events = chain(5);
        events.remove(3);
        assert_eq!(verify(&events).first_bad_seq, Some(4));
    }

    #[test]
    fn absent_and_empty_values_hash_differently() {
        let mut a = chain(1).remove(0);
        a.actor_traeger = None;
        let mut b = a.clone();
        b.actor_traeger = Some(String::new());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}
