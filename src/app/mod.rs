//! Use cases: the only code that opens transactions. Each loads, applies a domain rule, writes,
//! appends the ledger event and commits, in one transaction.

pub mod agreements;
pub mod audit;
pub mod exports;
pub mod idempotency;
pub mod indicators;
pub mod obligations;
pub mod reference;
pub mod submissions;
pub mod traeger;
pub mod transmissions;

use chrono::{NaiveDate, NaiveDateTime, SubsecRound, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::domain::Violation;
use crate::store::Unavailable;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the object has changed since it was read")]
    PreconditionFailed,
    #[error("invalid input")]
    Invalid(Vec<Violation>),
    #[error("the idempotency key was used before for a different request")]
    IdempotencyKeyReused,
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    #[error("database error: {0}")]
    Database(DieselError),
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::NotFound,
            // A race lost to another writer of the same key: the caller may retry and will
            // then see the winner's row.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::Conflict(format!(
                    "another request created the same object at the same time ({})",
                    info.constraint_name().unwrap_or("unique key")
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(Unavailable(info.message().to_owned()))
            }
            other => AppError::Database(other),
        }
    }
}

/// Cuts rows (read with at least one more than `limit`) to a page: the page, and whether more
/// rows follow.
pub fn split_page<T>(mut rows: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    (rows, more)
}

/// The time of a write. PostgreSQL keeps microseconds, SQLite more: truncating here makes a
/// value read back equal to the value written on both.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The business date: due dates and signing dates are judged against it. One clock for the
/// whole service, so tests and demonstrations can set the day (`ZV_TODAY`); the ledger always
/// records the real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed_today: Option<NaiveDate>,
}

impl Clock {
    pub fn new(fixed_today: Option<NaiveDate>) -> Self {
        Self { fixed_today }
    }

    /// Today in Germany, unless fixed: the deadlines are German dates.
    pub fn today(&self) -> NaiveDate {
        self.fixed_today
            .unwrap_or_else(|| crate::domain::calendar::german_date(Utc::now()))
    }
}
