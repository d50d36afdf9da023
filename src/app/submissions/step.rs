//! One change to an existing submission: loaded under its row lock through the caller's
//! visibility, checked against the version read, transformed by a domain transition, saved and
//! recorded, and answered as the caller may see it.

use super::{Delivery, context, delivery, visible};
use crate::app::{AppError, Clock, Mode, Services, record};
use crate::domain::actor::{Actor, Stamp, Visibility};
use crate::domain::ids::SubmissionId;
use crate::domain::indicator::Indicator;
use crate::domain::submission::{Submission, SubmissionRefusal, SubmissionTransition};
use crate::store::DbConnection;
use crate::store::submissions as store;

/// One change to a submission: who makes it, on which, expecting which version, for real or
/// as a dry run.
pub struct Step {
    pub actor: Actor,
    pub visibility: Visibility,
    pub id: SubmissionId,
    pub expected_version: Option<i64>,
    pub mode: Mode,
}

impl Step {
    /// A change made for real, whatever the version.
    pub fn write(actor: Actor, visibility: Visibility, id: SubmissionId) -> Self {
        Step {
            actor,
            visibility,
            id,
            expected_version: None,
            mode: Mode::Write,
        }
    }
}

/// Loads the submission under its row lock, applies `command` (given the submission, the
/// indicators of its obligation and the stamp), and unless a dry run saves the revisions it
/// wrote and records the event.
pub(super) async fn change<F>(
    services: &Services,
    step: Step,
    command: F,
) -> Result<Delivery, AppError>
where
    F: FnOnce(&Submission, &[Indicator], &Stamp) -> Result<SubmissionTransition, SubmissionRefusal>
        + Send
        + 'static,
{
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            let mode = step.mode;
            mode.transaction(conn, |conn| apply(conn, &step, clock, command))
        })
        .await
}

/// The change of [`change`] inside the caller's transaction.
pub(super) fn apply<F>(
    conn: &mut DbConnection,
    step: &Step,
    clock: Clock,
    command: F,
) -> Result<Delivery, AppError>
where
    F: FnOnce(&Submission, &[Indicator], &Stamp) -> Result<SubmissionTransition, SubmissionRefusal>,
{
    let Step {
        actor,
        visibility,
        id,
        expected_version,
        mode,
    } = step;
    if *mode == Mode::Write {
        store::lock(conn, id)?;
    }
    let before = visible(conn, visibility, id)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(AppError::PreconditionFailed);
    }
    let ctx = context(conn, visibility, &before.obligation_id)?;
    let stamp = clock.stamp(actor);
    let t = command(&before, &ctx.indicators, &stamp)?;
    if *mode == Mode::Write {
        let written = t.event.revisions();
        if !store::save(conn, &t.state, before.version, &written)? {
            return Err(AppError::PreconditionFailed);
        }
        record(conn, actor, Some(&before), &t, stamp.at)?;
    }
    let mut shown = delivery(conn, &t, *mode)?;
    shown.submission = t
        .state
        .clone()
        .seen_by(visibility)
        .ok_or(AppError::NotFound)?;
    Ok(shown)
}
