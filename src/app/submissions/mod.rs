//! Submissions: Träger deliver their figures, HMSI reviews, recipients confirm receipt.

mod review;
mod step;

pub use review::{Acceptance, Accepted, Refusal, accept_many, confirm_receipt, correct, review};
pub use step::Step;
use step::change;

use serde::{Deserialize, Serialize};

use super::idempotency::{Outcome, fingerprint, write_once};
use super::indicators::catalogue;
use super::{AppError, Mode, Services, record, record_end};
use crate::domain::actor::{Actor, Stamp, Visibility};
use crate::domain::agreement::{Agreement, Obligation};
use crate::domain::ids::{ObligationId, SubmissionId};
use crate::domain::indicator::Indicator;
use crate::domain::reporting_body::unregistered;
use crate::domain::submission::{
    Discarded, DraftInput, Submission, SubmissionEvent, SubmissionFilter, SubmissionRefusal,
    SubmissionTransition, Warning, warnings,
};
use crate::store::pool::write_transaction;
use crate::store::submissions as store;
use crate::store::{DbConnection, agreements, reporting_bodies};

/// A submission as written (or, on a dry run, as it would be), with non-blocking warnings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub submission: Submission,
    pub warnings: Vec<Warning>,
    pub dry_run: bool,
}

/// The obligation, its agreement, and its indicators as defined for the agreement's year.
struct Context {
    agreement: Agreement,
    obligation: Obligation,
    indicators: Vec<Indicator>,
}

/// The obligation `id` and what it needs, if the caller may see its agreement.
fn context(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &ObligationId,
) -> Result<Context, AppError> {
    let agreement =
        agreements::find(conn, visibility, &id.agreement())?.ok_or(AppError::NotFound)?;
    let obligation = agreement
        .obligations
        .iter()
        .find(|o| &o.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let catalogue = catalogue(conn, agreement.year)?;
    let indicators = obligation
        .content
        .indicators
        .iter()
        .filter_map(|c| catalogue.get(c).cloned())
        .collect();
    Ok(Context {
        agreement,
        obligation,
        indicators,
    })
}

/// The submission, if the caller may see it: another Träger's is absent, never forbidden.
fn visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &SubmissionId,
) -> Result<Submission, AppError> {
    store::find(conn, visibility, id)?.ok_or(AppError::NotFound)
}

/// The delivery a transition makes, with warnings against last year's accepted figures.
fn delivery(
    conn: &mut DbConnection,
    t: &SubmissionTransition,
    mode: Mode,
) -> Result<Delivery, AppError> {
    let s = &t.state;
    let warned = match t.event {
        SubmissionEvent::Drafted
        | SubmissionEvent::Edited { .. }
        | SubmissionEvent::Submitted { .. } => {
            let last_year = store::accepted_figures(conn, &s.traeger, s.year - 1)?;
            let registry = reporting_bodies::of(conn, &s.traeger)?;
            let values = &s.current().values;
            let mut warned = warnings(values, &last_year);
            warned.extend(unregistered(&s.traeger, values, &registry));
            warned
        }
        _ => Vec::new(),
    };
    Ok(Delivery {
        submission: s.clone(),
        warnings: warned,
        dry_run: mode == Mode::DryRun,
    })
}

/// Opens the submission of an obligation of the caller's Träger with a first draft.
fn open(
    conn: &mut DbConnection,
    visibility: &Visibility,
    raw_obligation: &str,
    input: &DraftInput,
    stamp: &Stamp,
) -> Result<SubmissionTransition, AppError> {
    let unknown = || SubmissionRefusal::UnknownObligation(raw_obligation.to_owned());
    let id = ObligationId::parse(raw_obligation).map_err(|_| unknown())?;
    let ctx = match context(conn, visibility, &id) {
        Err(AppError::NotFound) => return Err(unknown().into()),
        other => other?,
    };
    let taken = store::exists(conn, &SubmissionId::of(&id))?;
    let c = &ctx;
    let t = Submission::open(
        &c.agreement,
        &c.obligation,
        &c.indicators,
        taken,
        input,
        stamp,
    )?;
    Ok(t)
}

/// Creates a draft for an obligation of the caller's Träger (or, on a dry run, shows it).
pub async fn create(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    obligation: String,
    input: DraftInput,
    mode: Mode,
    idempotency_key: Option<String>,
) -> Result<Outcome<Delivery>, AppError> {
    let clock = services.clock();
    if mode == Mode::DryRun {
        let value = services
            .db()
            .run(move |conn| {
                mode.transaction(conn, |conn| {
                    let stamp = clock.stamp(&actor);
                    let t = open(conn, &visibility, &obligation, &input, &stamp)?;
                    delivery(conn, &t, mode)
                })
            })
            .await?;
        return Ok(Outcome {
            value,
            replayed: false,
        });
    }
    // A request without a confirmation keeps the fingerprint it had before confirmations
    // existed, so a retry that spans an upgrade is still recognised.
    let fp = match &input.confirmation {
        None => fingerprint("submission.create", &(&obligation, &input.values)),
        Some(c) => fingerprint("submission.create", &(&obligation, &input.values, c)),
    };
    let who = actor.clone();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        let stamp = clock.stamp(&actor);
        let t = open(conn, &visibility, &obligation, &input, &stamp)?;
        store::insert(conn, &t.state)?;
        record(conn, &actor, None, &t, stamp.at)?;
        delivery(conn, &t, mode)
    })
    .await
}

/// Replaces the values of the draft; a returned revision stays as it was and the new values
/// become a new draft revision.
pub async fn update(
    services: &Services,
    step: Step,
    input: DraftInput,
) -> Result<Delivery, AppError> {
    change(services, step, move |s, indicators, stamp| {
        s.edit(&input, indicators, stamp)
    })
    .await
}

/// Validates the draft completely and submits it; after the due date it is taken all the
/// same and marked late.
pub async fn submit(services: &Services, step: Step) -> Result<Delivery, AppError> {
    change(services, step, |s, indicators, stamp| {
        s.submit(indicators, stamp)
    })
    .await
}

/// Throws the draft away: a first draft with the submission, a later one back to the revisions
/// before it (then the submission as it is now). The ledger keeps what was discarded.
pub async fn discard(services: &Services, step: Step) -> Result<Option<Submission>, AppError> {
    let clock = services.clock();
    let Step {
        actor,
        visibility,
        id,
        expected_version,
        ..
    } = step;
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                store::lock(conn, &id)?;
                let before = visible(conn, &visibility, &id)?;
                if expected_version.is_some_and(|v| v != before.version) {
                    return Err(AppError::PreconditionFailed);
                }
                let stamp = clock.stamp(&actor);
                match before.discard(&stamp)? {
                    Discarded::Whole => {
                        store::delete(conn, &before)?;
                        record_end(conn, &actor, "discard", &before, stamp.at)?;
                        Ok(None)
                    }
                    Discarded::Draft(t) => {
                        let draft = before.current().number;
                        if !store::discard_revision(conn, &t.state, before.version, draft)? {
                            return Err(AppError::PreconditionFailed);
                        }
                        record(conn, &actor, Some(&before), &t, stamp.at)?;
                        Ok(Some(t.state))
                    }
                }
            })
        })
        .await
}

pub async fn find(
    services: &Services,
    visibility: Visibility,
    id: SubmissionId,
) -> Result<Submission, AppError> {
    services
        .db()
        .run(move |conn| {
            let s = visible(conn, &visibility, &id)?;
            s.seen_by(&visibility).ok_or(AppError::NotFound)
        })
        .await
}

/// One page, and whether more follow.
pub async fn list(
    services: &Services,
    visibility: Visibility,
    filter: SubmissionFilter,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Submission>, bool), AppError> {
    services
        .page(limit, move |conn, n| {
            let page = store::list(conn, &visibility, &filter, after.as_deref(), n)?;
            Ok(page
                .into_iter()
                .filter_map(|s| s.seen_by(&visibility))
                .collect())
        })
        .await
}
