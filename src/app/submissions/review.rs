//! After submission: HMSI's review, corrections, and the recipients' receipts.

use super::{Delivery, Step, change};
use crate::app::{AppError, Services};
use crate::domain::actor::Role;
use crate::domain::agreement::Recipient;
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
