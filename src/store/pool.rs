//! The connection pool over either backend, and the one place where the dialects differ in
//! how a connection is opened and how a write transaction begins.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Serialises migrations of replicas that start at the same time on one PostgreSQL.
const MIGRATION_LOCK_KEY: i64 = 0x7a76_6d6f_6e69_746f;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// The backend is chosen by the URL's scheme; anything else is a SQLite path.
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgresql",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// Opens connections of the configured backend itself: the derived `establish` tries every
/// variant in turn and hides the real error of the one that was meant.
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    /// The backend the URL's scheme names.
    fn for_url(url: &str) -> Self {
        Manager {
            url: url.to_owned(),
            backend: Backend::from_url(url),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap_or(&self.url);
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the one writer; the busy timeout makes a second
                // writer wait for the lock instead of failing at once.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// A connection whose transaction failed, or that comes back still inside a transaction
    /// (a holder that was dropped half-way, see `Db::hold`), is closed rather than reused:
    /// closing it ends the transaction on the server.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        in_transaction(conn)
    }
}

/// Whether `conn` is inside a transaction.
pub fn in_transaction(conn: &mut DbConnection) -> bool {
    let status =
        <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn);
    !matches!(status.transaction_depth(), Ok(None))
}

pub type DbPool = Pool<Manager>;
pub type PooledDb = PooledConnection<Manager>;

/// Applies pending migrations on a connection of its own, before any pool opens: the pool's
/// connections are opened on threads of their own at once, and on SQLite they would wait for
/// the file while the migrations hold it (r2d2 logged "database is locked" on a first start).
pub fn migrate(url: &str) -> Result<usize, MigrationError> {
    let mut conn = Manager::for_url(url).connect()?;
    run_migrations(&mut conn)
}

/// A consistent copy of a SQLite database taken while the service runs (`VACUUM INTO`: one
/// read transaction, so writers go on and the copy holds what had committed when it began);
/// `to` must not exist yet. Returns the copy's size in bytes.
pub fn backup_sqlite(url: &str, to: &std::path::Path) -> Result<u64, MigrationError> {
    if Backend::from_url(url) != Backend::Sqlite {
        return Err(
            "`backup` copies a SQLite database; for PostgreSQL use pg_dump, e.g. \
                    pg_dump --format=custom \"$DATABASE_URL\" > zv-monitor.dump"
                .into(),
        );
    }
    if to.exists() {
        return Err(format!("{} exists already: name a new file", to.display()).into());
    }
    let target = to
        .to_str()
        .ok_or("the backup's path is not UTF-8")?
        .replace('\'', "''");
    let mut conn = Manager::for_url(url).connect()?;
    conn.batch_execute(&format!("VACUUM INTO '{target}'"))?;
    Ok(std::fs::metadata(to)?.len())
}

pub fn build_pool(url: &str, size: u32, timeout: Duration) -> Result<DbPool, r2d2::PoolError> {
    let manager = Manager::for_url(url);
    Pool::builder()
        .max_size(size)
        .connection_timeout(timeout)
        // No `SELECT 1` before every use: it doubled the round trips of a short read. A
        // connection that broke is dropped when it comes back (`has_broken`), and the request
        // that met it gets 503.
        .test_on_check_out(false)
        .build(manager)
}

/// Begins with `begin` on the inner connection, then commits or rolls back through the
/// multi-connection's transaction manager, which keeps its state in the inner connection.
fn transaction_sql<T, E, F>(conn: &mut DbConnection, begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    match conn {
        DbConnection::Postgres(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, begin)?
        }
        DbConnection::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, begin)?,
    }
    match f(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            Tm::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

thread_local! {
    /// Whether this thread ran a write transaction since `wrote_since` last asked.
    static WROTE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` and tells `heard` if it ran a write transaction, once that has ended: what this
/// replica knows of the revisions without asking must then be read again (`heard`).
pub(crate) fn wrote_since<T>(heard: &super::heard::Heard, f: impl FnOnce() -> T) -> T {
    WROTE.set(false);
    let value = f();
    if WROTE.replace(false) {
        heard.wrote();
    }
    value
}

/// Runs `f` in a transaction that may write. On SQLite it begins with `BEGIN IMMEDIATE`, so the
/// write lock is taken up front: a deferred transaction that reads first and writes later can
/// fail with SQLITE_BUSY when another writer got in between, and the busy timeout cannot help.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let result = match conn {
        DbConnection::Postgres(_) => conn.transaction(f),
        DbConnection::Sqlite(_) => transaction_sql(conn, "BEGIN IMMEDIATE", f),
    };
    WROTE.set(true);
    result
}

fn snapshot_begin(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        DbConnection::Sqlite(_) => "BEGIN DEFERRED",
    }
}

/// Runs read-only `f` on one consistent snapshot, without blocking writers.
pub fn snapshot_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let begin = snapshot_begin(conn);
    transaction_sql(conn, begin, f)
}

/// Opens a read-only snapshot that outlives one call: every later read on this connection
/// sees the database as it was at the first read, until [`end_snapshot`]. On SQLite (WAL) the
/// snapshot is taken at the first read after the BEGIN.
pub fn begin_snapshot(conn: &mut DbConnection) -> QueryResult<()> {
    let begin = snapshot_begin(conn);
    match conn {
        DbConnection::Postgres(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, begin)
        }
        DbConnection::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, begin),
    }
}

/// Names the snapshot this connection's transaction reads, for [`join_snapshot`] on another
/// connection (PostgreSQL's `pg_export_snapshot`; valid while the transaction lasts). SQLite has
/// no such thing: None.
pub fn export_snapshot(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    match conn {
        DbConnection::Postgres(_) => {
            let id = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
                "pg_export_snapshot()",
            ))
            .get_result::<String>(conn)?;
            Ok(Some(id))
        }
        DbConnection::Sqlite(_) => Ok(None),
    }
}

/// Opens a read-only snapshot on `conn` that sees exactly what the one named `id` sees.
pub fn join_snapshot(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    // The name comes from PostgreSQL (hex digits and dashes); anything else is not sent.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(diesel::result::Error::QueryBuilderError(
            format!("not a snapshot name: {id}").into(),
        ));
    }
    begin_snapshot(conn)?;
    conn.batch_execute(&format!("SET TRANSACTION SNAPSHOT '{id}'"))
}

/// Ends a snapshot opened by [`begin_snapshot`]; it wrote nothing, so rolling back is all.
pub fn end_snapshot(conn: &mut DbConnection) -> QueryResult<()> {
    <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
}

/// Holds one row until the transaction ends, so a read-compare-write cannot interleave with
/// another writer on PostgreSQL. SQLite needs nothing: its write transaction holds the whole
/// database. `table` and `key` are the callers' constants, never input.
pub fn lock_row(
    conn: &mut DbConnection,
    table: &'static str,
    key: &'static str,
    id: &str,
) -> QueryResult<()> {
    if let DbConnection::Postgres(_) = conn {
        diesel::sql_query(format!(
            "SELECT {key} FROM {table} WHERE {key} = $1 FOR UPDATE"
        ))
        .bind::<diesel::sql_types::Text, _>(id)
        .execute(conn)?;
    }
    Ok(())
}

type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies pending migrations; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, MigrationError> {
    match conn {
        DbConnection::Postgres(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            let applied = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            applied
        }
        DbConnection::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len()),
    }
}

/// True when every embedded migration has been applied.
pub fn migrations_current(conn: &mut DbConnection) -> Result<bool, MigrationError> {
    let pending = match conn {
        DbConnection::Postgres(pg) => pg.has_pending_migration(POSTGRES_MIGRATIONS)?,
        DbConnection::Sqlite(lite) => lite.has_pending_migration(SQLITE_MIGRATIONS)?,
    };
    Ok(!pending)
}
