//! The worker's side of a delivery: claim a due one, and record what the receiver answered,
//! disabling a subscription whose receiver is gone or has failed for five days. Sending itself
//! is `background::webhooks`'s: this module does not touch the network.

use chrono::{NaiveDateTime, TimeDelta};

use crate::app::{AppError, Clock, Services, events, now, record};
use crate::domain::actor::Actor;
use crate::domain::webhook::Subscription;
use crate::domain::webhook::delivery::{Attempt, DeliveryStatus};
use crate::domain::webhook::retry::{self, Answer, Verdict};
use crate::store::DbConnection;
use crate::store::pool::write_transaction;
use crate::store::webhooks::deliveries::{self, Outcome};
use crate::store::webhooks::{self as subscriptions};

/// One delivery to attempt: where, signed with which secrets, what.
#[derive(Debug, Clone)]
pub struct Job {
    pub seq: i64,
    /// The number of this attempt, from 1.
    pub attempt: i32,
    pub subscription_id: String,
    pub url: String,
    pub secrets: Vec<String>,
    pub event_id: String,
    pub body: Vec<u8>,
}

/// Claims the delivery due first, if any, keeping other workers off it for twice as long as a
/// receiver may take.
pub async fn claim(services: &Services) -> Result<Option<Job>, AppError> {
    let lease = TimeDelta::from_std(services.webhooks().timeout * 2).unwrap_or(TimeDelta::MAX);
    services
        .db()
        .run(move |conn| {
            let at = now();
            let claimed =
                write_transaction(conn, |conn| deliveries::claim(conn, at, at + lease, 1))?;
            let Some(c) = claimed.into_iter().next() else {
                return Ok(None);
            };
            let s = subscriptions::find(conn, &c.subscription_id)?.ok_or(AppError::NotFound)?;
            let e = crate::store::events::numbered(conn, &[c.event_seq])?
                .pop()
                .ok_or(AppError::NotFound)?;
            Ok(Some(Job {
                seq: c.seq,
                attempt: c.attempts + 1,
                subscription_id: s.id.clone(),
                url: s.url.clone(),
                secrets: s
                    .secrets
                    .valid_at(at)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                event_id: e.id.clone(),
                body: events::payload(&e),
            }))
        })
        .await
}

/// Records the answer to `job`, at `at`, after `duration_ms`; the verdict.
pub async fn finish(
    services: &Services,
    job: Job,
    answer: Answer,
    at: NaiveDateTime,
    duration_ms: i64,
) -> Result<Verdict, AppError> {
    let schedule = services.webhooks().schedule.clone();
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            let verdict = retry::judge(&answer, job.attempt as usize, at, &schedule);
            let (status, next) = match &verdict {
                Verdict::Delivered => (DeliveryStatus::Delivered, None),
                Verdict::RetryAt(t) => (DeliveryStatus::Pending, Some(*t)),
                Verdict::Failed | Verdict::Gone => (DeliveryStatus::Failed, None),
            };
            let (status_code, error) = match &answer {
                Answer::Status { code, .. } => (Some(i32::from(*code)), None),
                Answer::Unreachable(why) => (None, Some(why.clone())),
            };
            let attempt = Attempt {
                n: job.attempt,
                at,
                status_code,
                error,
                duration_ms,
            };
            write_transaction(conn, |conn| {
                let outcome = Outcome {
                    status,
                    next_attempt_at: next,
                };
                if deliveries::finish(conn, job.seq, &attempt, &outcome)? {
                    judge_subscription(conn, clock, &job.subscription_id, &verdict, at)?;
                }
                Ok::<_, AppError>(())
            })?;
            Ok(verdict)
        })
        .await
}

/// What a verdict means for the subscription: failures counted from the first, cleared by a
/// success; disabled when the receiver is gone or has failed for too long (HMSI sees it, with
/// the reason, in the subscription).
fn judge_subscription(
    conn: &mut DbConnection,
    clock: Clock,
    id: &str,
    verdict: &Verdict,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(s) = subscriptions::find(conn, id)? else {
        return Ok(());
    };
    let reason = match verdict {
        Verdict::Delivered => {
            return Ok(subscriptions::failing_since(conn, id, None)?);
        }
        Verdict::Gone => Some("the receiver answered 410 Gone"),
        Verdict::RetryAt(_) | Verdict::Failed => {
            let since = s.failing_since.unwrap_or(at);
            if s.failing_since.is_none() {
                subscriptions::failing_since(conn, id, Some(at))?;
            }
            retry::failed_too_long(Some(since), at).then_some("every delivery failed for 5 days")
        }
    };
    match reason {
        Some(reason) if s.active => disable(conn, clock, &s, reason),
        _ => Ok(()),
    }
}

fn disable(
    conn: &mut DbConnection,
    clock: Clock,
    s: &Subscription,
    reason: &str,
) -> Result<(), AppError> {
    let actor = Actor::system("webhooks");
    let stamp = clock.stamp(&actor);
    let t = s.disable(reason, &stamp);
    if subscriptions::update(conn, &t.state, s.version)? {
        record(conn, &actor, Some(s), &t, stamp.at)?;
        tracing::warn!(subscription = %s.id, reason, "webhook subscription disabled");
    }
    Ok(())
}

/// How many deliveries wait, and how old the oldest is.
pub async fn backlog(services: &Services) -> Result<(i64, Option<TimeDelta>), AppError> {
    let (depth, oldest) = services
        .db()
        .run(|conn| Ok::<_, AppError>(deliveries::backlog(conn)?))
        .await?;
    Ok((depth, oldest.map(|o| now() - o)))
}
