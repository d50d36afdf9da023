//! Transmissions: HMSI requests BA statistics, records what BA delivered, forwards each Träger
//! its own rows; the Träger acknowledge.

mod receiving;
mod requests;

pub use receiving::{Import, Upload, receive};
pub use requests::create;

use chrono::NaiveDateTime;

use super::{AppError, Mode, Services, record, record_end};
use crate::domain::actor::{Actor, Stamp, Visibility};
use crate::domain::ids::TransmissionId;
use crate::domain::transmission::{
    Transmission, TransmissionFilter, TransmissionRefusal, TransmissionTransition,
};
use crate::store::DbConnection;
use crate::store::pool::write_transaction;
use crate::store::transmissions as store;

/// The transmission as the caller may see it; before forwarding, or another Träger's
/// business, it is absent, never forbidden.
pub async fn find(
    services: &Services,
    visibility: Visibility,
    id: TransmissionId,
) -> Result<Transmission, AppError> {
    services
        .db()
        .run(move |conn| store::find(conn, &visibility, &id)?.ok_or(AppError::NotFound))
        .await
}

/// The transmissions the caller may see, in id order (tens a year: filtered in memory).
pub async fn list(
    services: &Services,
    visibility: Visibility,
    filter: TransmissionFilter,
) -> Result<Vec<Transmission>, AppError> {
    services
        .db()
        .run(move |conn| {
            let all = store::list(conn, &visibility, filter.year, store::Rows::None)?;
            Ok(all.into_iter().filter(|t| filter.admits(t)).collect())
        })
        .await
}

/// The whole transmission for a change by a caller who may see it, under its row lock
/// unless a dry run, if it is still the version the caller read (`If-Match`).
fn for_change(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &TransmissionId,
    expected_version: Option<i64>,
    mode: Mode,
) -> Result<Transmission, AppError> {
    if mode == Mode::Write {
        store::lock(conn, id)?;
    }
    let t = store::find_whole(conn, visibility, id)?.ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != t.version) {
        return Err(AppError::PreconditionFailed);
    }
    Ok(t)
}

/// Saves what the transition wrote, if the transmission is still the version read, and
/// records it.
fn commit(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Transmission,
    t: &TransmissionTransition,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    if !store::save(conn, &t.state, before.version, &t.event)? {
        return Err(AppError::PreconditionFailed);
    }
    record(conn, actor, Some(before), t, at)
}

/// Changes a transmission under its row lock and records the change; answers with what the
/// caller may see of it.
async fn change<F>(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    (id, expected_version): (TransmissionId, Option<i64>),
    command: F,
) -> Result<Transmission, AppError>
where
    F: FnOnce(&Transmission, &Stamp) -> Result<TransmissionTransition, TransmissionRefusal>
        + Send
        + 'static,
{
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let before = for_change(conn, &visibility, &id, expected_version, Mode::Write)?;
                let stamp = clock.stamp(&actor);
                let t = command(&before, &stamp)?;
                commit(conn, &actor, &before, &t, stamp.at)?;
                t.state.seen_by(&visibility).ok_or(AppError::NotFound)
            })
        })
        .await
}

/// Forwards the current version, if it is still the version the caller read: from now on
/// each Träger sees its own rows of it.
pub async fn forward(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: TransmissionId,
    expected_version: Option<i64>,
) -> Result<Transmission, AppError> {
    let target = (id, expected_version);
    change(services, actor, visibility, target, |t, stamp| {
        t.forward(stamp)
    })
    .await
}

/// Cancels a request BA has not answered, if it is still the version the caller read; the
/// ledger keeps its last state, and its number is never handed out again.
pub async fn cancel(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: TransmissionId,
    expected_version: Option<i64>,
) -> Result<(), AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let before = for_change(conn, &visibility, &id, expected_version, Mode::Write)?;
                before.cancel()?;
                store::delete(conn, &before.id)?;
                record_end(conn, &actor, "cancel", &before, clock.stamp(&actor).at)
            })
        })
        .await
}

/// A Träger confirms it received the newest forwarded version.
pub async fn acknowledge(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: TransmissionId,
) -> Result<Transmission, AppError> {
    let own = visibility
        .only()
        .cloned()
        .ok_or_else(|| AppError::Conflict("only a Träger acknowledges".into()))?;
    change(services, actor, visibility, (id, None), move |t, stamp| {
        t.acknowledge(&own, stamp)
    })
    .await
}
