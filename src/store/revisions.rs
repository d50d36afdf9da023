//! The database's revision of a table: raised by a trigger on every write to it (migration 13).

use diesel::prelude::*;

use super::DbConnection;
use super::schema::revisions::dsl;

/// Tables whose readers may keep what they read while this number stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Indicators,
}

impl Subject {
    fn table(self) -> &'static str {
        match self {
            Subject::Indicators => "indicators",
        }
    }
}

/// The revision of `subject` now; read before the rows it stands for, so that rows read with
/// an older number are at worst newer than it (and read again), never older.
pub fn current(conn: &mut DbConnection, subject: Subject) -> QueryResult<i64> {
    dsl::revisions
        .find(subject.table())
        .select(dsl::revision)
        .first(conn)
}
