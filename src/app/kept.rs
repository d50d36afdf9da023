//! What a replica keeps between requests of a table that changes only by writes: valid while
//! the table's revision in the database (`store::revisions`) is the one it was read with. Every
//! use still reads that revision, one short statement, so a write by any replica, a migration or
//! an operator's SQL is seen by the next read everywhere, exactly as without keeping anything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web::Bytes;

/// A rendered answer: its body and the strong ETag of that body.
#[derive(Debug)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
}

/// Distinct queries kept per revision. Filters and cursors make the keys: more than this many
/// between two writes starts the set afresh rather than growing without bound.
const MOST: usize = 256;

/// Answers by key, all of one revision. Cheap to clone; the clones share what is kept.
pub struct Kept<V> {
    inner: Arc<Mutex<Entries<V>>>,
}

struct Entries<V> {
    revision: i64,
    by_key: HashMap<String, Arc<V>>,
}

impl<V> Clone for Kept<V> {
    fn clone(&self) -> Self {
        Kept {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Kept {
            // The database's revisions start at 1: nothing is kept under 0.
            inner: Arc::new(Mutex::new(Entries {
                revision: 0,
                by_key: HashMap::new(),
            })),
        }
    }
}

impl<V> Kept<V> {
    /// What was kept under `key`, if it was read at `revision`.
    pub fn get(&self, revision: i64, key: &str) -> Option<Arc<V>> {
        let entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.revision == revision {
            entries.by_key.get(key).cloned()
        } else {
            None
        }
    }

    /// Keeps `value`, read at `revision`, and hands it back. Another revision than the one
    /// kept replaces everything, whether newer or older: an older one only costs the next
    /// reader a read, and a database restored to an earlier revision must not meet answers of
    /// the revision it left.
    pub fn keep(&self, revision: i64, key: String, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.revision != revision || entries.by_key.len() >= MOST {
            entries.revision = revision;
            entries.by_key.clear();
        }
        entries.by_key.insert(key, Arc::clone(&value));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_counts_only_at_the_revision_it_was_read_at() {
        let kept = Kept::default();
        kept.keep(3, "a".into(), 30);
        assert_eq!(kept.get(3, "a").as_deref(), Some(&30));
        assert_eq!(kept.get(4, "a"), None);
        assert_eq!(kept.get(3, "b"), None);
        kept.keep(4, "b".into(), 41);
        assert_eq!(
            kept.get(3, "a"),
            None,
            "a newer revision replaces the older"
        );
        kept.keep(2, "a".into(), 20);
        assert_eq!(
            kept.get(4, "b"),
            None,
            "so does an older one (a restored database)"
        );
        assert_eq!(kept.get(2, "a").as_deref(), Some(&20));
    }

    #[test]
    fn many_distinct_queries_start_afresh_instead_of_growing() {
        let kept = Kept::default();
        for i in 0..MOST + 1 {
            kept.keep(1, i.to_string(), i);
        }
        assert_eq!(kept.get(1, "0"), None);
        assert_eq!(kept.get(1, &MOST.to_string()).as_deref(), Some(&MOST));
    }
}
