//! Use cases: the only code that opens transactions. Each loads what it needs (through the
//! caller's visibility), applies a domain transition, saves, appends the ledger event and
//! commits, in one transaction.

pub mod agreements;
pub mod audit;
pub mod deadlines;
pub mod demo;
pub mod events;
pub mod exports;
pub mod health;
pub mod idempotency;
pub mod indicators;
pub mod kept;
pub mod obligations;
pub mod reference;
pub mod reporting_bodies;
pub mod reports;
pub mod submissions;
pub mod traeger;
pub mod transmissions;
pub mod webhooks;

mod refusals;

use chrono::{NaiveDate, NaiveDateTime, SubsecRound, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::domain::Violation;
use crate::domain::actor::{Actor, Stamp};
use crate::domain::audit::{Change, Recorded};
use crate::domain::notice::Announces;
use crate::domain::{Event, Transition};
use crate::store::pool::{snapshot_transaction, write_transaction};
use crate::store::{Db, DbConnection, Unavailable, ledger};

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

impl AppError {
    /// One violation at `pointer`.
    pub fn invalid(pointer: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![Violation::new(pointer, message)])
    }
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
            // A pooled connection whose server process was ended (a restart, a failover, an
            // administrator) first answers with the server's last words, an error diesel does
            // not classify; only the next use sees the closed connection. Both are the
            // database going away, not a fault of the request: 503 and retry.
            DieselError::DatabaseError(_, info) if connection_lost(info.message()) => {
                AppError::Unavailable(Unavailable(info.message().to_owned()))
            }
            other => AppError::Database(other),
        }
    }
}

/// Whether PostgreSQL's message says the connection ended (SQLSTATE 57P01–57P03, libpq's own).
fn connection_lost(message: &str) -> bool {
    [
        "terminating connection",
        "the database system is shutting down",
        "the database system is starting up",
        "server closed the connection",
        "no connection to the server",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// The use cases' hold on the database and the business date: what the HTTP layer is given
/// to serve requests with. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    db: Db,
    clock: Clock,
    webhooks: webhooks::WebhookPolicy,
    /// Listings of the catalogue as answered, shared by every worker of this replica.
    catalogue_pages: kept::Kept<kept::Rendered>,
    /// The catalogue of each year, for the reads that check against it.
    catalogues: kept::Kept<crate::domain::indicator::Catalogue>,
    /// Träger by AGS, absent ones too.
    registry: kept::Kept<Option<crate::domain::traeger::Traeger>>,
    /// Agreements by id, absent ones too.
    agreements: kept::Kept<Option<crate::domain::agreement::Agreement>>,
    /// Pages of the obligations' overview as answered.
    obligation_pages: kept::Kept<kept::Rendered>,
}

impl Services {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self {
            db,
            clock,
            webhooks: webhooks::WebhookPolicy::default(),
            catalogue_pages: kept::Kept::default(),
            catalogues: kept::Kept::default(),
            registry: kept::Kept::default(),
            agreements: kept::Kept::default(),
            obligation_pages: kept::Kept::default(),
        }
    }

    /// The same, sending webhooks by `policy`.
    pub fn with_webhooks(self, policy: webhooks::WebhookPolicy) -> Self {
        Self {
            webhooks: policy,
            ..self
        }
    }

    pub fn webhooks(&self) -> &webhooks::WebhookPolicy {
        &self.webhooks
    }

    /// The catalogues kept by year, to be used inside `Db::run`.
    pub(crate) fn catalogues(&self) -> indicators::Catalogues {
        indicators::Catalogues {
            heard: self.db.heard().clone(),
            by_year: self.catalogues.clone(),
        }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// `postgresql` or `sqlite`.
    pub fn backend_name(&self) -> &'static str {
        self.db.backend().name()
    }

    /// One page of at most `limit` rows, read by `read` (which is asked for one more, to tell
    /// whether more follow), and whether more follow.
    async fn page<T, F>(&self, limit: i64, read: F) -> Result<(Vec<T>, bool), AppError>
    where
        F: FnOnce(&mut DbConnection, i64) -> diesel::QueryResult<Vec<T>> + Send + 'static,
        T: Send + 'static,
    {
        let rows = self
            .db
            .run(move |conn| read(conn, limit + 1).map_err(AppError::from))
            .await?;
        Ok(split_page(rows, limit))
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

    /// `actor` acting now. Taken inside the transaction, so the time is the time of the write.
    pub fn stamp(&self, actor: &Actor) -> Stamp {
        Stamp {
            by: actor.sub.clone(),
            at: now(),
            today: self.today(),
        }
    }
}

/// Appends what a transition caused to the ledger: the last write of its transaction.
fn record<S: Recorded, E: Event + Announces<S>>(
    conn: &mut DbConnection,
    actor: &Actor,
    before: Option<&S>,
    t: &Transition<S, E>,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let change = Change::recorded(t.event.action(), before, &t.state);
    ledger::append(conn, actor, at, change)?;
    // In the same transaction: no event without its change, no change without its events.
    events::publish(conn, t.event.notices(&t.state), at)?;
    Ok(())
}

/// Appends the ledger event of an entity's end (`action`: `discard`, `cancel`): its last
/// state, and none after it.
fn record_end<S: Recorded>(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &'static str,
    before: &S,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    ledger::append(conn, actor, at, Change::ended(action, before))?;
    Ok(())
}

/// Whether a change is made, or only shown: a dry run reads one read-only snapshot, takes no
/// row locks and writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    DryRun,
}

impl Mode {
    pub fn of(dry_run: bool) -> Self {
        if dry_run { Mode::DryRun } else { Mode::Write }
    }

    /// Runs `f` in the transaction this mode needs.
    fn transaction<T>(
        self,
        conn: &mut DbConnection,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        match self {
            Mode::Write => write_transaction(conn, f),
            Mode::DryRun => snapshot_transaction(conn, f),
        }
    }
}
