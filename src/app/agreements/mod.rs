//! Agreements: drafted and edited by HMSI, signed by both parties, rolled from year to year.

mod bulk;
mod drafting;
pub mod targets;

pub use bulk::{Drafting, draft_many};
pub use drafting::{
    Drafted, Rollover, Skipped, UnmappedIn, create, rollover, seed_signed, template,
};

use super::indicators::catalogue;
use super::kept;
use super::{AppError, Services, record, record_end};
use crate::domain::actor::{Actor, Stamp, Visibility};
use crate::domain::agreement::{
    Agreement, AgreementFilter, AgreementInput, AgreementStatus, Party, SignatureInput,
};
use crate::domain::ids::AgreementId;
use crate::domain::traeger::Traeger;
use crate::store::agreements as store;
use crate::store::pool::write_transaction;
use crate::store::revisions::Subject;
use crate::store::{DbConnection, traeger};

/// One page, and whether more follow.
pub async fn list(
    services: &Services,
    visibility: Visibility,
    filter: AgreementFilter,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Agreement>, bool), AppError> {
    services
        .page(limit, move |conn, n| {
            store::list(conn, &visibility, &filter, after.as_deref(), n)
        })
        .await
}

/// The agreement, if the caller may see it: another Träger's is absent, never forbidden.
pub(crate) fn visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &AgreementId,
) -> Result<Agreement, AppError> {
    store::find(conn, visibility, id)?.ok_or(AppError::NotFound)
}

/// The agreement for a change by a caller who may see it, under its row lock, so that two
/// signatures or edits cannot interleave.
fn locked(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &AgreementId,
) -> Result<Agreement, AppError> {
    store::lock(conn, id)?;
    visible(conn, visibility, id)
}

/// The agreement, if the caller may see it; kept while the agreements' revision stands
/// (`kept`), and checked against the caller's visibility on every read.
pub async fn find(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
) -> Result<Agreement, AppError> {
    let key = id.as_str().to_owned();
    let entry = kept::read(
        services.db(),
        &[Subject::Agreements],
        &services.agreements,
        key,
        move |conn| Ok(store::find(conn, &Visibility::All, &id)?),
    )
    .await?;
    match entry.as_ref() {
        Some(a) if visibility.sees(&a.traeger) => Ok(a.clone()),
        _ => Err(AppError::NotFound),
    }
}

/// The agreement with its Träger as the registry names it, for the printed agreement.
pub async fn printable(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
) -> Result<(Agreement, Traeger), AppError> {
    services
        .db()
        .run(move |conn| {
            let a = visible(conn, &visibility, &id)?;
            let t = traeger::find(conn, &visibility, &a.traeger)?.ok_or(AppError::NotFound)?;
            Ok((a, t))
        })
        .await
}

/// Replaces the content of a draft; a signed agreement is immutable.
pub async fn update(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: AgreementId,
    expected_version: Option<i64>,
    input: AgreementInput,
) -> Result<Agreement, AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let current = locked(conn, &visibility, &id)?;
                if expected_version.is_some_and(|v| v != current.version) {
                    return Err(AppError::PreconditionFailed);
                }
                let stamp = clock.stamp(&actor);
                let catalogue = catalogue(conn, current.year)?;
                let party = traeger::find(conn, &Visibility::All, &current.traeger)?
                    .ok_or(AppError::NotFound)?;
                let form = party.content.jobcenter.form;
                let Some(t) = current.edit(&input, &catalogue, form, &stamp)? else {
                    return Ok(current);
                };
                if !store::replace(conn, &t.state, current.version)? {
                    return Err(AppError::PreconditionFailed);
                }
                record(conn, &actor, Some(&current), &t, stamp.at)?;
                Ok(t.state)
            })
        })
        .await
}

/// Discards a draft nobody signed; the ledger keeps its last state.
pub async fn discard(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: AgreementId,
    expected_version: Option<i64>,
) -> Result<(), AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let current = locked(conn, &visibility, &id)?;
                if expected_version.is_some_and(|v| v != current.version) {
                    return Err(AppError::PreconditionFailed);
                }
                current.discard()?;
                store::delete(conn, &current.id)?;
                record_end(conn, &actor, "discard", &current, clock.stamp(&actor).at)
            })
        })
        .await
}

/// Records the signature of `party`; the second signature puts the agreement in force and
/// supersedes the agreement it was drafted to replace.
pub async fn sign(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: AgreementId,
    party: Party,
    input: SignatureInput,
) -> Result<Agreement, AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let current = locked(conn, &visibility, &id)?;
                let stamp = clock.stamp(&actor);
                signed(conn, &actor, &visibility, current, party, input, &stamp)
            })
        })
        .await
}

/// Signs inside the caller's transaction, superseding the predecessor once in force.
pub(super) fn signed(
    conn: &mut DbConnection,
    actor: &Actor,
    visibility: &Visibility,
    current: Agreement,
    party: Party,
    input: SignatureInput,
    stamp: &Stamp,
) -> Result<Agreement, AppError> {
    let t = current.sign(party, input, stamp)?;
    store::save_signed(conn, &t.state)?;
    record(conn, actor, Some(&current), &t, stamp.at)?;
    if t.state.status == AgreementStatus::InForce
        && let Some(old_id) = &t.state.supersedes
    {
        let old = visible(conn, visibility, old_id)?;
        let gone = old.supersede(&t.state.id, stamp);
        store::set_status(conn, &gone.state)?;
        record(conn, actor, Some(&old), &gone, stamp.at)?;
    }
    Ok(t.state)
}
