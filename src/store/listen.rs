//! The replica's ear on PostgreSQL: a connection of its own that LISTENs on `zv_revisions`
//! (raised and told by the trigger of migration 14) and keeps `Heard` up to date, so that a
//! read of something kept needs no statement at all while nothing changed.
//!
//! diesel's connection can read notifications but not wait for one (it does not hand out its
//! socket), so the ear talks to libpq itself: it only listens and waits, never queries.

use std::ffi::{CStr, CString, c_char};
use std::ptr::NonNull;
use std::time::Duration;

use pq_sys::{ConnStatusType, ExecStatusType, PGconn};
use prometheus::IntGauge;

use super::heard::WeakHeard;
use super::revisions;
use super::{Db, DbPool};

/// How long one wait lasts: how soon the thread notices that its replica is gone.
const TICK: Duration = Duration::from_millis(500);
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// Starts the listener of the replica `db` belongs to; it ends soon after the replica does.
/// The gauge it returns is 1 while it listens.
pub fn start(db: &Db, url: &str) -> Result<IntGauge, anyhow::Error> {
    let listening = IntGauge::new(
        "zv_revisions_listening",
        "1 while the replica listens for revisions; 0: kept answers ask the database for them",
    )?;
    let heard = db.heard().downgrade();
    let pool = db.pool().clone();
    let url = url.to_owned();
    let gauge = listening.clone();
    std::thread::Builder::new()
        .name("zv-listen".into())
        .stack_size(256 * 1024)
        .spawn(move || run(&url, &pool, &heard, &gauge))?;
    Ok(listening)
}

fn run(url: &str, pool: &DbPool, weak: &WeakHeard, listening: &IntGauge) {
    let mut pause = FIRST_PAUSE;
    while weak.upgrade().is_some() {
        match listen(url, pool, weak, listening) {
            Ok(()) => return,
            Err(Lost { heard_any, why }) => {
                listening.set(0);
                if let Some(heard) = weak.upgrade() {
                    heard.deaf();
                }
                if heard_any {
                    pause = FIRST_PAUSE;
                }
                tracing::warn!(error = %why, "not listening for revisions: reads ask the database \
                    for them until the listener is back");
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

struct Lost {
    /// Whether it was listening before it was lost (then it tries again soon).
    heard_any: bool,
    why: String,
}

/// Listens until the connection is lost (`Err`) or the replica is gone (`Ok`).
fn listen(url: &str, pool: &DbPool, weak: &WeakHeard, listening: &IntGauge) -> Result<(), Lost> {
    let lost = |heard_any| move |why: String| Lost { heard_any, why };
    let mut ear = Ear::open(url).map_err(lost(false))?;
    let Some(ticket) = weak.upgrade().map(|heard| heard.ticket()) else {
        return Ok(());
    };
    // Read after LISTEN took effect: a commit in between is in both, and the newest counts.
    let all = pool
        .get()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| revisions::all(&mut conn).map_err(|e| e.to_string()))
        .map_err(lost(false))?;
    match weak.upgrade() {
        Some(heard) => heard.listening(ticket, &all),
        None => return Ok(()),
    }
    listening.set(1);
    loop {
        let told = ear.wait(TICK).map_err(lost(true))?;
        let Some(heard) = weak.upgrade() else {
            return Ok(());
        };
        for (subject, revision) in told.iter().filter_map(|p| revisions::parse_told(p)) {
            heard.told(subject, revision);
        }
    }
}

/// A libpq connection that has run `LISTEN zv_revisions`.
struct Ear {
    conn: NonNull<PGconn>,
}

impl Ear {
    fn open(url: &str) -> Result<Ear, String> {
        // The URL is expanded as given; the keepalives after it make a peer that vanished
        // without closing the connection (a network gone) count as lost within about 15 s.
        let pairs = [
            ("dbname", url),
            ("application_name", "zv-monitor revisions"),
            ("keepalives", "1"),
            ("keepalives_idle", "10"),
            ("keepalives_interval", "2"),
            ("keepalives_count", "3"),
        ];
        let owned: Vec<(CString, CString)> = pairs
            .iter()
            .map(|(k, v)| Ok((CString::new(*k)?, CString::new(*v)?)))
            .collect::<Result<_, std::ffi::NulError>>()
            .map_err(|e| e.to_string())?;
        let mut keys: Vec<*const c_char> = owned.iter().map(|(k, _)| k.as_ptr()).collect();
        let mut values: Vec<*const c_char> = owned.iter().map(|(_, v)| v.as_ptr()).collect();
        keys.push(std::ptr::null());
        values.push(std::ptr::null());
        // SAFETY: both arrays are NULL-terminated and their strings outlive the call.
        let conn = unsafe { pq_sys::PQconnectdbParams(keys.as_ptr(), values.as_ptr(), 1) };
        let ear = Ear {
            conn: NonNull::new(conn).ok_or("libpq could not allocate a connection")?,
        };
        // SAFETY: `ear.conn` is a live connection until `ear` is dropped.
        if unsafe { pq_sys::PQstatus(ear.conn.as_ptr()) } != ConnStatusType::CONNECTION_OK {
            return Err(ear.error());
        }
        ear.command(c"LISTEN zv_revisions")?;
        Ok(ear)
    }

    fn error(&self) -> String {
        // SAFETY: libpq returns a string owned by the connection, valid until its next call.
        let message = unsafe { CStr::from_ptr(pq_sys::PQerrorMessage(self.conn.as_ptr())) };
        message.to_string_lossy().trim().to_owned()
    }

    fn command(&self, sql: &CStr) -> Result<(), String> {
        // SAFETY: a live connection and a NUL-terminated statement; the result is cleared once.
        unsafe {
            let result = pq_sys::PQexec(self.conn.as_ptr(), sql.as_ptr());
            let ok = !result.is_null()
                && pq_sys::PQresultStatus(result) == ExecStatusType::PGRES_COMMAND_OK;
            pq_sys::PQclear(result);
            if ok { Ok(()) } else { Err(self.error()) }
        }
    }

    /// The payloads told within `timeout` (none if nothing was), or why the connection is lost.
    fn wait(&mut self, timeout: Duration) -> Result<Vec<String>, String> {
        let conn = self.conn.as_ptr();
        // SAFETY: a live connection; the socket stays open while it is.
        let fd = unsafe { pq_sys::PQsocket(conn) };
        if fd < 0 {
            return Err("the connection has no socket".into());
        }
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut poll, 1, millis) };
        if ready <= 0 {
            return Ok(Vec::new()); // nothing, or a signal: wait again
        }
        // SAFETY: a live connection; each notification is read once and freed once.
        unsafe {
            if pq_sys::PQconsumeInput(conn) == 0 {
                return Err(self.error());
            }
            let mut told = Vec::new();
            while let Some(n) = NonNull::new(pq_sys::PQnotifies(conn)) {
                told.push(
                    CStr::from_ptr(n.as_ref().extra)
                        .to_string_lossy()
                        .into_owned(),
                );
                pq_sys::PQfreemem(n.as_ptr().cast());
            }
            Ok(told)
        }
    }
}

impl Drop for Ear {
    fn drop(&mut self) {
        // SAFETY: the connection is finished once, here.
        unsafe { pq_sys::PQfinish(self.conn.as_ptr()) }
    }
}
