//! After submission: HMSI's review, corrections, and the recipients' receipts.

use super::{Delivery, Step, change, conflict_not_editable, invalid};
use crate::app::{AppError, now};
use crate::domain::actor::{Actor, Role, Visibility};
use crate::domain::agreement::Recipient;
use crate::domain::submission::{Receipt, Revision, RevisionStatus};
use crate::store::Db;

#[derive(Debug, Clone)]
pub enum Decision {
    Accept,
    Return(String),
}

/// HMSI accepts the submitted revision (which then is the valid one) or returns it with a reason.
pub async fn review(
    db: &Db,
    actor: Actor,
    id: String,
    decision: Decision,
) -> Result<Delivery, AppError> {
    let by = actor.sub.clone();
    let action = match decision {
        Decision::Accept => "accept",
        Decision::Return(_) => "return",
    };
    change(
        db,
        Step {
            actor,
            visibility: Visibility::All,
            id,
            expected_version: None,
            dry_run: false,
            action,
        },
        move |_, s, _| {
            if s.current().status != RevisionStatus::Submitted {
                return Err(AppError::Conflict(format!(
                    "revision {} of {} is {}: only a submitted revision is reviewed",
                    s.current().number,
                    s.id,
                    s.current().status.as_str()
                )));
            }
            let mut changed = vec![s.current().number];
            let at = now();
            if let Decision::Accept = decision
                && let Some(old) = s
                    .revisions
                    .iter_mut()
                    .find(|r| r.status == RevisionStatus::Accepted)
            {
                old.status = RevisionStatus::Superseded;
                changed.push(old.number);
            }
            let r = s.current_mut();
            r.reviewed_by = Some(by);
            r.reviewed_at = Some(at);
            match decision {
                Decision::Accept => r.status = RevisionStatus::Accepted,
                Decision::Return(reason) => {
                    r.status = RevisionStatus::Returned;
                    r.return_reason = Some(reason);
                }
            }
            Ok((changed, Vec::new()))
        },
    )
    .await
}

/// Opens a new draft revision from the accepted (or returned) one; the accepted revision stays
/// valid until the correction is accepted.
pub async fn correct(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
) -> Result<Delivery, AppError> {
    let by = actor.sub.clone();
    change(
        db,
        Step {
            actor,
            visibility,
            id,
            expected_version: None,
            dry_run: false,
            action: "correct",
        },
        move |_, s, _| {
            match s.current().status {
                RevisionStatus::Accepted | RevisionStatus::Returned => {}
                RevisionStatus::Draft => {
                    return Err(AppError::Conflict(format!(
                        "revision {} of {} is a draft already: edit it",
                        s.current().number,
                        s.id
                    )));
                }
                _ => return Err(conflict_not_editable(s)),
            }
            let n = s.current().number + 1;
            let values = s.current().values.clone();
            s.revisions.push(Revision::draft(n, values, &by, now()));
            Ok((vec![n], Vec::new()))
        },
    )
    .await
}

/// A recipient confirms it received a delivered revision (the newest one unless named).
pub async fn confirm_receipt(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
    revision: Option<i32>,
) -> Result<Delivery, AppError> {
    let recipient = match actor.role {
        Role::Jobcenter => Recipient::Jobcenter,
        _ => Recipient::Hmsi,
    };
    let by = actor.sub.clone();
    change(
        db,
        Step {
            actor,
            visibility,
            id,
            expected_version: None,
            dry_run: false,
            action: "receipt",
        },
        move |_, s, ctx| {
            if !ctx.obligation.content.recipients.contains(&recipient) {
                return Err(AppError::Conflict(format!(
                    "the {} is no recipient of this obligation",
                    recipient.as_str()
                )));
            }
            let n = match revision {
                Some(n) => n,
                None => s.delivered().map(|r| r.number).ok_or_else(|| {
                    AppError::Conflict(format!("{} has not been submitted yet", s.id))
                })?,
            };
            let r = s
                .revisions
                .iter_mut()
                .find(|r| r.number == n)
                .ok_or_else(|| invalid("/revision", format!("there is no revision {n}")))?;
            if !r.delivered() {
                return Err(AppError::Conflict(format!(
                    "revision {n} is {}, not delivered",
                    r.status.as_str()
                )));
            }
            if r.receipts.iter().any(|c| c.recipient == recipient) {
                return Err(AppError::Conflict(format!(
                    "the {} confirmed receipt of revision {n} already",
                    recipient.as_str()
                )));
            }
            r.receipts.push(Receipt {
                recipient,
                confirmed_by: by,
                confirmed_at: now(),
            });
            Ok((vec![n], Vec::new()))
        },
    )
    .await
}
