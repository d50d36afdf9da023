//! Diesel queries, one file per aggregate, over either backend.

pub mod agreements;
pub mod events;
pub mod facts;
pub mod heard;
pub mod id_counters;
pub mod idempotency;
pub mod indicators;
pub mod ledger;
pub mod listen;
pub mod pool;
pub mod reporting_bodies;
pub mod revisions;
pub mod schema;
pub mod submissions;
pub mod traeger;
pub mod transmissions;
pub mod webhooks;

pub use pool::{Backend, DbConnection, DbPool};

/// Diesel's backend type of [`DbConnection`], for boxed queries over either database.
pub type SqlBackend = <DbConnection as diesel::Connection>::Backend;

/// A stored row that the domain does not accept: the database was changed around the service.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(what.to_string().into())
}

/// The database could not be reached: no connection within the pool's timeout.
#[derive(Debug, thiserror::Error)]
#[error("database unavailable: {0}")]
pub struct Unavailable(pub String);

/// The pool and the backend it talks to. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
    heard: heard::Heard,
}

impl Db {
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            heard: heard::Heard::default(),
        }
    }

    /// The revisions this replica knows without asking (see `listen`).
    pub fn heard(&self) -> &heard::Heard {
        &self.heard
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs blocking diesel work on the blocking thread pool, never on an actix worker, and
    /// keeps the caller's tracing span.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let pool = self.pool.clone();
        let heard = self.heard.clone();
        blocking(move || {
            let mut conn = checkout(&pool)?;
            pool::wrote_since(&heard, || f(&mut conn))
        })
        .await?
    }

    /// Takes one connection from the pool and keeps it for several steps, e.g. the batches of an
    /// export read on one snapshot.
    pub async fn hold(&self) -> Result<HeldConnection, Unavailable> {
        let pool = self.pool.clone();
        let conn = blocking(move || checkout(&pool)).await??;
        Ok(self.held(conn))
    }

    /// Like [`Db::hold`], if a connection is free now and more than half of the pool stays
    /// free beside it: work that could do without it never waits for it, nor takes what
    /// requests are about to need.
    pub fn try_hold(&self) -> Option<HeldConnection> {
        if self.pool.state().idle_connections <= self.pool.max_size() / 2 {
            return None;
        }
        self.pool.try_get().map(|conn| self.held(conn))
    }

    fn held(&self, conn: pool::PooledDb) -> HeldConnection {
        HeldConnection {
            conn: Some(conn),
            heard: self.heard.clone(),
        }
    }
}

/// A connection from the pool, or why there is none within the pool's timeout.
fn checkout(pool: &DbPool) -> Result<pool::PooledDb, Unavailable> {
    pool.get().map_err(|e| Unavailable(e.to_string()))
}

/// Runs `f` on the blocking thread pool inside the caller's tracing span.
async fn blocking<T, F>(f: F) -> Result<T, Unavailable>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    actix_web::rt::task::spawn_blocking(move || {
        let _entered = span.enter();
        f()
    })
    .await
    .map_err(|e| Unavailable(format!("database task failed: {e}")))
}

/// A connection kept across awaits. Dropped, it goes back to the pool; if it is still inside a
/// transaction then (the holder was dropped half-way, say a client went away), the pool closes
/// it instead of handing it out again (see `pool::Manager::has_broken`).
pub struct HeldConnection {
    /// None only after a step panicked and took the connection with it.
    conn: Option<pool::PooledDb>,
    heard: heard::Heard,
}

impl HeldConnection {
    /// Like [`Db::run`], on the held connection.
    pub async fn run<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let mut conn = self
            .conn
            .take()
            .ok_or_else(|| Unavailable("the held connection was lost".into()))?;
        let heard = self.heard.clone();
        let (conn, result) = blocking(move || {
            let result = pool::wrote_since(&heard, || f(&mut conn));
            (conn, result)
        })
        .await?;
        self.conn = Some(conn);
        result
    }
}
