//! Submissions: Träger deliver their figures, HMSI reviews, recipients confirm receipt.

use serde::{Deserialize, Serialize};

use super::idempotency::{fingerprint, write_once};
use super::indicators::catalogue;
use super::{AppError, Clock, now};
use crate::domain::Violation;
use crate::domain::actor::{Actor, Visibility};
use crate::domain::agreement::{Agreement, AgreementStatus, Obligation, Party};
use crate::domain::audit::Change;
use crate::domain::indicator::Indicator;
use crate::domain::submission::{
    Revision, RevisionStatus, Submission, ValueInput, Warning, check_complete, days_late,
    parse_values, warnings,
};
use crate::store::pool::{snapshot_transaction, write_transaction};
use crate::store::submissions::{self as store, SubmissionFilter};
use crate::store::{Db, DbConnection, agreements, ledger};

mod review;

pub use review::{Decision, confirm_receipt, correct, review};

const ENTITY: &str = "submission";

/// A submission as written (or, on a dry run, as it would be), with non-blocking warnings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub submission: Submission,
    pub warnings: Vec<Warning>,
    pub dry_run: bool,
}

fn invalid(pointer: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![Violation::new(pointer, message)])
}

/// The obligation, its agreement, and its indicators as defined for the agreement's year.
struct Context {
    agreement: Agreement,
    obligation: Obligation,
    indicators: Vec<Indicator>,
}

fn context(
    conn: &mut DbConnection,
    agreement_id: &str,
    obligation_id: &str,
) -> Result<Context, AppError> {
    let agreement = agreements::find(conn, agreement_id)?.ok_or(AppError::NotFound)?;
    let obligation = agreement
        .obligations
        .iter()
        .find(|o| o.id == obligation_id)
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

/// The agreement id of an obligation id (`zv-2023-06633-1.3` → `zv-2023-06633-1`).
fn agreement_of(obligation_id: &str) -> &str {
    obligation_id
        .rsplit_once('.')
        .map_or(obligation_id, |(a, _)| a)
}

fn visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &str,
) -> Result<Submission, AppError> {
    // Another Träger's submission is reported as absent, never as forbidden.
    store::find(conn, id)?
        .filter(|s| visibility.sees(&s.traeger))
        .ok_or(AppError::NotFound)
}

fn new_submission(
    conn: &mut DbConnection,
    actor: &Actor,
    obligation_id: &str,
    inputs: &[ValueInput],
) -> Result<Delivery, AppError> {
    let unknown = || {
        invalid(
            "/obligation_id",
            format!("there is no obligation `{obligation_id}` that you deliver"),
        )
    };
    let ctx = match context(conn, agreement_of(obligation_id), obligation_id) {
        Err(AppError::NotFound) => return Err(unknown()),
        other => other?,
    };
    if actor.traeger.as_ref() != Some(&ctx.agreement.traeger) {
        return Err(unknown());
    }
    if ctx.obligation.content.delivered_by != Party::Traeger {
        return Err(invalid(
            "/obligation_id",
            "HMSI delivers this obligation, not the Träger",
        ));
    }
    if ctx.obligation.content.indicators.is_empty() {
        return Err(invalid(
            "/obligation_id",
            "this obligation asks for no figures",
        ));
    }
    if ctx.agreement.status != AgreementStatus::InForce {
        return Err(AppError::Conflict(format!(
            "agreement {} is {}: figures are delivered under an agreement in force",
            ctx.agreement.id,
            ctx.agreement.status.as_str()
        )));
    }
    let id = Submission::id_for(obligation_id);
    if store::find(conn, &id)?.is_some() {
        return Err(AppError::Conflict(format!(
            "submission {id} exists for this obligation: edit its draft, or open a correction"
        )));
    }
    let values = parse_values(inputs, &ctx.indicators).map_err(AppError::Invalid)?;
    let last_year = store::accepted_figures(conn, &ctx.agreement.traeger, ctx.agreement.year - 1)?;
    let at = now();
    let submission = Submission {
        id,
        obligation_id: obligation_id.to_owned(),
        agreement_id: ctx.agreement.id.clone(),
        traeger: ctx.agreement.traeger.clone(),
        year: ctx.agreement.year,
        section: ctx.obligation.content.section.clone(),
        due: ctx.obligation.content.due,
        recipients: ctx.obligation.content.recipients.clone(),
        revisions: vec![Revision::draft(1, values, &actor.sub, at)],
        version: 1,
        created_at: at,
        updated_at: at,
    };
    Ok(Delivery {
        warnings: warnings(&submission.current().values, &last_year),
        submission,
        dry_run: false,
    })
}

/// Creates a draft for an obligation of the caller's Träger.
pub async fn create(
    db: &Db,
    actor: Actor,
    obligation_id: String,
    inputs: Vec<ValueInput>,
    dry_run: bool,
    idempotency_key: Option<String>,
) -> Result<super::idempotency::Outcome<Delivery>, AppError> {
    if dry_run {
        let value = db
            .run(move |conn| {
                snapshot_transaction(conn, |conn| {
                    new_submission(conn, &actor, &obligation_id, &inputs)
                })
            })
            .await?;
        return Ok(super::idempotency::Outcome {
            value: Delivery {
                dry_run: true,
                ..value
            },
            replayed: false,
        });
    }
    let fp = fingerprint("submission.create", &(&obligation_id, &inputs));
    let who = actor.clone();
    write_once(db, &who, idempotency_key, fp, move |conn| {
        let delivery = new_submission(conn, &actor, &obligation_id, &inputs)?;
        let s = &delivery.submission;
        store::insert(conn, s)?;
        ledger::append(
            conn,
            &actor,
            s.created_at,
            Change::of("create", ENTITY, &s.id, None, Some(s)),
        )?;
        Ok(delivery)
    })
    .await
}

/// One change to a submission: who makes it, on what, and how it is recorded.
struct Step {
    actor: Actor,
    visibility: Visibility,
    id: String,
    expected_version: Option<i64>,
    dry_run: bool,
    action: &'static str,
}

/// Loads, changes and (unless a dry run) saves one submission under a row lock.
async fn change<F>(db: &Db, step: Step, f: F) -> Result<Delivery, AppError>
where
    F: FnOnce(
            &mut DbConnection,
            &mut Submission,
            &Context,
        ) -> Result<(Vec<i32>, Vec<Warning>), AppError>
        + Send
        + 'static,
{
    let Step {
        actor,
        visibility,
        id,
        expected_version,
        dry_run,
        action,
    } = step;
    db.run(move |conn| {
        let work = |conn: &mut DbConnection| {
            // A dry run reads a read-only snapshot, which takes no row locks.
            if !dry_run {
                store::lock(conn, &id)?;
            }
            let before = visible(conn, &visibility, &id)?;
            if expected_version.is_some_and(|v| v != before.version) {
                return Err(AppError::PreconditionFailed);
            }
            let ctx = context(conn, &before.agreement_id, &before.obligation_id)?;
            let mut after = before.clone();
            let (changed, warnings) = f(conn, &mut after, &ctx)?;
            after.version += 1;
            after.updated_at = now();
            if !dry_run {
                if !store::save(conn, &after, before.version, &changed)? {
                    return Err(AppError::PreconditionFailed);
                }
                ledger::append(
                    conn,
                    &actor,
                    after.updated_at,
                    Change::of(action, ENTITY, &id, Some(&before), Some(&after)),
                )?;
            }
            Ok(Delivery {
                submission: after,
                warnings,
                dry_run,
            })
        };
        if dry_run {
            snapshot_transaction(conn, work)
        } else {
            write_transaction(conn, work)
        }
    })
    .await
}

fn conflict_not_editable(s: &Submission) -> AppError {
    let r = s.current();
    AppError::Conflict(format!(
        "revision {} of {} is {} and never changes: {}",
        r.number,
        s.id,
        r.status.as_str(),
        match r.status {
            RevisionStatus::Accepted | RevisionStatus::Superseded =>
                "open a correction to change the figures",
            _ => "wait for HMSI's review",
        }
    ))
}

/// Replaces the values of the draft; a returned revision stays as it was and the new values
/// become a new draft revision.
pub async fn update(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
    expected_version: Option<i64>,
    inputs: Vec<ValueInput>,
    dry_run: bool,
) -> Result<Delivery, AppError> {
    let by = actor.sub.clone();
    change(
        db,
        Step {
            actor,
            visibility,
            id,
            expected_version,
            dry_run,
            action: "update",
        },
        move |conn, s, ctx| {
            let values = parse_values(&inputs, &ctx.indicators).map_err(AppError::Invalid)?;
            let at = now();
            match s.current().status {
                RevisionStatus::Draft => s.current_mut().values = values,
                RevisionStatus::Returned => {
                    let n = s.current().number + 1;
                    s.revisions.push(Revision::draft(n, values, &by, at));
                }
                _ => return Err(conflict_not_editable(s)),
            }
            let last_year = store::accepted_figures(conn, &s.traeger, s.year - 1)?;
            Ok((
                vec![s.current().number],
                warnings(&s.current().values, &last_year),
            ))
        },
    )
    .await
}

/// Validates the draft completely and submits it; after the due date it is accepted all the
/// same and marked late.
pub async fn submit(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
    expected_version: Option<i64>,
    dry_run: bool,
    clock: Clock,
) -> Result<Delivery, AppError> {
    let by = actor.sub.clone();
    change(
        db,
        Step {
            actor,
            visibility,
            id,
            expected_version,
            dry_run,
            action: "submit",
        },
        move |conn, s, ctx| {
            if s.current().status != RevisionStatus::Draft {
                return Err(AppError::Conflict(format!(
                    "revision {} of {} is {}: only a draft is submitted",
                    s.current().number,
                    s.id,
                    s.current().status.as_str()
                )));
            }
            let errors = check_complete(&s.current().values, &ctx.indicators);
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            let late = days_late(ctx.obligation.content.due, clock.today());
            let r = s.current_mut();
            r.status = RevisionStatus::Submitted;
            r.submitted_by = Some(by);
            r.submitted_at = Some(now());
            r.days_late = late;
            let last_year = store::accepted_figures(conn, &s.traeger, s.year - 1)?;
            Ok((
                vec![s.current().number],
                warnings(&s.current().values, &last_year),
            ))
        },
    )
    .await
}

pub async fn find(db: &Db, visibility: Visibility, id: String) -> Result<Submission, AppError> {
    db.run(move |conn| visible(conn, &visibility, &id)).await
}

/// One page, and whether more follow.
pub async fn list(
    db: &Db,
    visibility: Visibility,
    mut filter: SubmissionFilter,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Submission>, bool), AppError> {
    filter.only = visibility.only().cloned();
    let items = db
        .run(move |conn| {
            store::list(conn, &filter, after.as_deref(), limit + 1).map_err(AppError::from)
        })
        .await?;
    Ok(super::split_page(items, limit))
}
