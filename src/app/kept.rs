//! What a replica keeps between requests of a table that changes only by writes: valid while
//! the table's revision in the database (`store::revisions`) is the one it was read with.
//!
//! On PostgreSQL the replica listens for revisions (`store::listen`): while nothing changed, a
//! kept answer costs no statement at all; a write by another replica, a migration or an
//! operator's SQL shows as soon as PostgreSQL has told of its commit, and one of this replica
//! in its very next read. Without a listener (SQLite, or the listener's connection lost) every
//! use reads the revision, one short statement, and sees every commit before it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web::Bytes;

use super::AppError;
use crate::store::heard::Heard;
use crate::store::revisions::{self, Subject};
use crate::store::{Db, DbConnection};

/// What `kept` holds under `key` at `subject`'s revision, or else what `read` reads, kept
/// under that revision. The revision is read first (unless it is known), so what is kept under
/// a number is at worst newer than it (and read again), never older.
pub fn at_revision<V>(
    conn: &mut DbConnection,
    heard: &Heard,
    subjects: &[Subject],
    kept: &Kept<V>,
    key: String,
    read: impl FnOnce(&mut DbConnection) -> Result<V, AppError>,
) -> Result<Arc<V>, AppError> {
    if let Some(hit) = known(heard, subjects).and_then(|r| kept.get(&r, &key)) {
        return Ok(hit);
    }
    let ticket = heard.ticket();
    let revision = revisions::current(conn, subjects)?;
    for (&subject, &r) in subjects.iter().zip(&revision) {
        heard.read(ticket, subject, r);
    }
    if let Some(hit) = kept.get(&revision, &key) {
        return Ok(hit);
    }
    let value = read(conn)?;
    Ok(kept.keep(revision, key, value))
}

/// The revisions of `subjects`, if every one is known without asking.
fn known(heard: &Heard, subjects: &[Subject]) -> Option<Vec<i64>> {
    subjects.iter().map(|&s| heard.known(s)).collect()
}

/// [`at_revision`] on a connection of the pool, taken only when what is kept is not known to
/// be current: a kept answer whose revision is known costs neither a statement nor a hop to
/// the blocking pool.
pub async fn read<V>(
    db: &Db,
    subjects: &'static [Subject],
    kept: &Kept<V>,
    key: String,
    read: impl FnOnce(&mut DbConnection) -> Result<V, AppError> + Send + 'static,
) -> Result<Arc<V>, AppError>
where
    V: Send + Sync + 'static,
{
    let heard = db.heard().clone();
    if let Some(hit) = known(&heard, subjects).and_then(|r| kept.get(&r, &key)) {
        return Ok(hit);
    }
    let kept = kept.clone();
    db.run(move |conn| at_revision(conn, &heard, subjects, &kept, key, read))
        .await
}

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
    /// The revision of each subject the answers were read from.
    revision: Vec<i64>,
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
            // The database's revisions start at 1: nothing is kept under none.
            inner: Arc::new(Mutex::new(Entries {
                revision: Vec::new(),
                by_key: HashMap::new(),
            })),
        }
    }
}

impl<V> Kept<V> {
    /// What was kept under `key`, if it was read at `revision`.
    pub fn get(&self, revision: &[i64], key: &str) -> Option<Arc<V>> {
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
    pub fn keep(&self, revision: Vec<i64>, key: String, value: V) -> Arc<V> {
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
        kept.keep(vec![3], "a".into(), 30);
        assert_eq!(kept.get(&[3], "a").as_deref(), Some(&30));
        assert_eq!(kept.get(&[4], "a"), None);
        assert_eq!(kept.get(&[3], "b"), None);
        kept.keep(vec![4], "b".into(), 41);
        assert_eq!(
            kept.get(&[3], "a"),
            None,
            "a newer revision replaces the older"
        );
        kept.keep(vec![2], "a".into(), 20);
        assert_eq!(
            kept.get(&[4], "b"),
            None,
            "so does an older one (a restored database)"
        );
        assert_eq!(kept.get(&[2], "a").as_deref(), Some(&20));
    }

    #[test]
    fn many_distinct_queries_start_afresh_instead_of_growing() {
        let kept = Kept::default();
        for i in 0..MOST + 1 {
            kept.keep(vec![1], i.to_string(), i);
        }
        assert_eq!(kept.get(&[1], "0"), None);
        assert_eq!(kept.get(&[1], &MOST.to_string()).as_deref(), Some(&MOST));
    }
}
