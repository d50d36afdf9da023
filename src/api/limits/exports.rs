//! Exports running at once per token: each holds a database snapshot and streams for as long
//! as its client reads, so a few of them in parallel can occupy a replica that many small
//! requests never would.

use std::collections::HashMap;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::web::Bytes;

pub struct Slots<K> {
    limit: u32,
    running: Mutex<HashMap<K, u32>>,
}

/// One running export; its slot is free again when this is dropped.
pub struct Slot<K: Hash + Eq + Clone> {
    slots: Arc<Slots<K>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Slots<K> {
    pub fn new(limit: u32) -> Self {
        Slots {
            limit,
            running: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// A slot for `key`, unless it has all of them.
    pub fn take(self: &Arc<Self>, key: K) -> Option<Slot<K>> {
        let mut running = self.running.lock().expect("export slots lock");
        let count = running.entry(key.clone()).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            slots: self.clone(),
            key,
        })
    }
}

impl<K: Hash + Eq + Clone> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut running = self.slots.running.lock().expect("export slots lock");
        if let Some(count) = running.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.key);
            }
        }
    }
}

/// A response body that holds a slot until it is sent whole, or its client goes away.
pub struct Held<K: Hash + Eq + Clone> {
    body: BoxBody,
    _slot: Slot<K>,
}

impl<K: Hash + Eq + Clone> Held<K> {
    pub fn new(body: BoxBody, slot: Slot<K>) -> Self {
        Held { body, _slot: slot }
    }
}

impl<K: Hash + Eq + Clone + Unpin> MessageBody for Held<K> {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_has_its_slots_and_gets_them_back() {
        let slots = Arc::new(Slots::new(2));
        let a = slots.take("a").unwrap();
        let _b = slots.take("a").unwrap();
        assert!(slots.take("a").is_none());
        assert!(slots.take("other").is_some(), "another token has its own");
        drop(a);
        assert!(slots.take("a").is_some());
    }
}
