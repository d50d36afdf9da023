//! After submission: HMSI's review, corrections, and the recipients' receipts.

use serde::{Deserialize, Serialize};

use super::Delivery;
use super::step::{Step, apply, change};
use crate::app::idempotency::{Outcome, fingerprint, write_once};
use crate::app::{AppError, Mode, Services};
use crate::domain::actor::{Actor, Role, Visibility};
use crate::domain::agreement::Recipient;
use crate::domain::ids::SubmissionId;
use crate::domain::submission::Decision;

/// HMSI accepts the submitted revision (which then is the valid one) or returns it with a reason.
pub async fn review(
    services: &Services,
    step: Step,
    decision: Decision,
) -> Result<Delivery, AppError> {
    change(services, step, move |s, _, stamp| s.review(decision, stamp)).await
}

/// Opens a new draft revision from the accepted (or returned) one; the accepted revision stays
/// valid until the correction is accepted.
pub async fn correct(services: &Services, step: Step) -> Result<Delivery, AppError> {
    change(services, step, |s, _, stamp| s.open_correction(stamp)).await
}

/// A recipient confirms it received a delivered revision (the newest one unless named): a
/// Jobcenter token for the Jobcenter, an HMSI token for the ministry.
pub async fn confirm_receipt(
    services: &Services,
    step: Step,
    revision: Option<i32>,
) -> Result<Delivery, AppError> {
    let recipient = match step.actor.role {
        Role::Jobcenter => Recipient::Jobcenter,
        _ => Recipient::Hmsi,
    };
    change(services, step, move |s, _, stamp| {
        s.confirm_receipt(recipient, revision, stamp)
    })
    .await
}

/// One submission of a bulk acceptance, with the version HMSI reviewed, if it names one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Acceptance {
    pub id: SubmissionId,
    pub expected_version: Option<i64>,
}

/// What accepting one of several came to: the delivery, or why it was refused, as the single
/// review would have answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Accepted {
    Done(Box<Delivery>),
    Refused(Refusal),
}

/// Why one of several was not accepted; kept with the answer, so a replay gives it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Refusal {
    NotFound,
    PreconditionFailed,
    Conflict(String),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => AppError::NotFound,
            Refusal::PreconditionFailed => AppError::PreconditionFailed,
            Refusal::Conflict(why) => AppError::Conflict(why),
        }
    }
}

/// HMSI accepts several submitted revisions in one call, in one transaction: each is accepted
/// or refused on its own terms (another's refusal does not hold it back), and what is accepted
/// is committed together, so a retry after a failure of the service finds all or none of them
/// done. With an idempotency key, a retry returns the first answer.
pub async fn accept_many(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    items: Vec<Acceptance>,
    idempotency_key: Option<String>,
) -> Result<Outcome<Vec<(SubmissionId, Accepted)>>, AppError> {
    let fp = fingerprint("submission.accept_many", &items);
    let clock = services.clock();
    let who = actor.clone();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let step = Step {
                actor: actor.clone(),
                visibility: visibility.clone(),
                id: item.id.clone(),
                expected_version: item.expected_version,
                mode: Mode::Write,
            };
            let outcome = apply(conn, &step, clock, |s, _, stamp| {
                s.review(Decision::Accept, stamp)
            });
            let accepted = match outcome {
                Ok(d) => Accepted::Done(Box::new(d)),
                Err(AppError::NotFound) => Accepted::Refused(Refusal::NotFound),
                Err(AppError::PreconditionFailed) => Accepted::Refused(Refusal::PreconditionFailed),
                Err(AppError::Conflict(why)) => Accepted::Refused(Refusal::Conflict(why)),
                // The service failed (or a refusal no acceptance makes): nothing is committed.
                Err(other) => return Err(other),
            };
            results.push((item.id, accepted));
        }
        Ok(results)
    })
    .await
}
