//! The reporting bodies of a Träger: read within the caller's visibility, registered and
//! changed by the Träger itself or by HMSI.

use super::idempotency::{Outcome, fingerprint, write_once};
use super::{AppError, Services, record};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::reporting_body::{ReportingBody, ReportingBodyId, ReportingBodyInput};
use crate::domain::traeger::Ags;
use crate::store::pool::write_transaction;
use crate::store::reporting_bodies as store;
use crate::store::{DbConnection, traeger};

/// The Träger, if the caller may see it: another Träger's bodies are absent, never forbidden.
fn visible_traeger(
    conn: &mut DbConnection,
    visibility: &Visibility,
    ags: &Ags,
) -> Result<(), AppError> {
    traeger::find(conn, visibility, ags)?
        .map(drop)
        .ok_or(AppError::NotFound)
}

pub async fn list(
    services: &Services,
    visibility: Visibility,
    ags: Ags,
) -> Result<Vec<ReportingBody>, AppError> {
    services
        .db()
        .run(move |conn| {
            visible_traeger(conn, &visibility, &ags)?;
            Ok(store::of(conn, &ags)?)
        })
        .await
}

/// The body `id` of Träger `ags`, if the caller may see that Träger.
fn visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    ags: &Ags,
    id: &ReportingBodyId,
) -> Result<ReportingBody, AppError> {
    visible_traeger(conn, visibility, ags)?;
    store::find(conn, id)?
        .filter(|b| &b.traeger == ags)
        .ok_or(AppError::NotFound)
}

pub async fn find(
    services: &Services,
    visibility: Visibility,
    ags: Ags,
    id: ReportingBodyId,
) -> Result<ReportingBody, AppError> {
    services
        .db()
        .run(move |conn| visible(conn, &visibility, &ags, &id))
        .await
}

/// Registers a body for the Träger; the Träger's row lock keeps numbers and names apart.
pub async fn register(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    ags: Ags,
    input: ReportingBodyInput,
    idempotency_key: Option<String>,
) -> Result<Outcome<ReportingBody>, AppError> {
    let fp = fingerprint("reporting_body.create", &(&ags, &input));
    let clock = services.clock();
    let who = actor.clone();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        traeger::lock(conn, &ags)?;
        visible_traeger(conn, &visibility, &ags)?;
        let taken = match input.checked_name() {
            Some(name) => store::name_taken(conn, &ags, &name, None)?,
            None => false,
        };
        let n = store::next_number(conn, &ags)?;
        let stamp = clock.stamp(&actor);
        let t =
            ReportingBody::register(&ags, n, &input, taken, &stamp).map_err(AppError::Invalid)?;
        store::insert(conn, &t.state)?;
        record(conn, &actor, None, &t, stamp.at)?;
        Ok(t.state)
    })
    .await
}

/// Renames a body, changes its kind, or retires it (`active: false`), if it is still the
/// version the caller read.
pub async fn change(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    (ags, id): (Ags, ReportingBodyId),
    expected_version: Option<i64>,
    input: ReportingBodyInput,
) -> Result<ReportingBody, AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                traeger::lock(conn, &ags)?;
                let before = visible(conn, &visibility, &ags, &id)?;
                if expected_version.is_some_and(|v| v != before.version) {
                    return Err(AppError::PreconditionFailed);
                }
                let taken = match input.checked_name() {
                    Some(name) => store::name_taken(conn, &ags, &name, Some(&id))?,
                    None => false,
                };
                let stamp = clock.stamp(&actor);
                let Some(t) = before
                    .change(&input, taken, &stamp)
                    .map_err(AppError::Invalid)?
                else {
                    return Ok(before);
                };
                if !store::update(conn, &t.state, before.version)? {
                    return Err(AppError::PreconditionFailed);
                }
                record(conn, &actor, Some(&before), &t, stamp.at)?;
                Ok(t.state)
            })
        })
        .await
}
