//! Deadline events on the business date: `obligation.due_soon` from 14 days before an
//! obligation's due date, `obligation.overdue` from the day after, while nothing is submitted;
//! each once per obligation and kind, whichever replica tells it first (and, if the service was
//! down that day, on the first day it runs again while it still holds).

use std::collections::HashMap;

use chrono::Days;

use super::events::publish_once;
use super::{AppError, Services, now};
use crate::domain::notice::{Audience, EventType, Notice, Subject};
use crate::domain::progress::{ObligationStatus, progress};
use crate::store::agreements as agreement_store;
use crate::store::pool::write_transaction;
use crate::store::submissions as submission_store;

/// How long before its due date an obligation is due soon.
pub const DUE_SOON_DAYS: u64 = 14;

/// Tells what is due soon or overdue today; how many events it wrote.
pub async fn tell(services: &Services) -> Result<usize, AppError> {
    let today = services.clock().today();
    let until = today
        .checked_add_days(Days::new(DUE_SOON_DAYS))
        .unwrap_or(today);
    // Only what falls due by then is read, and of it only the standing: not the indicators
    // each obligation asks for, nor the year's transmissions. Reading every binding
    // agreement's whole state raised a replica's peak memory at its start, when this first
    // runs, by half on a large database.
    let (deadlines, submissions) = services
        .db()
        .run(move |conn| {
            let deadlines = agreement_store::deadlines(conn, until)?;
            let ids: Vec<_> = deadlines.iter().map(|d| d.obligation.clone()).collect();
            let submissions = submission_store::standing_of_obligations(conn, &ids)?;
            Ok::<_, AppError>((deadlines, submissions))
        })
        .await?;
    let mut submissions: HashMap<_, _> = submissions
        .into_iter()
        .map(|s| (s.obligation_id.clone(), s))
        .collect();
    let mut notices = Vec::new();
    for d in deadlines {
        let submission = submissions.remove(&d.obligation);
        let kind = match progress(Some(d.due), submission.as_ref(), today).status {
            ObligationStatus::Open => EventType::ObligationDueSoon,
            ObligationStatus::Overdue => EventType::ObligationOverdue,
            _ => continue,
        };
        let key = format!("{}:{}", kind.as_str(), d.obligation);
        notices.push((
            Notice {
                event_type: kind,
                traeger: Some(d.traeger.clone()),
                audience: Audience::of(&d.traeger, true),
                subject: Subject::Obligation(d.obligation),
            },
            key,
        ));
    }
    if notices.is_empty() {
        return Ok(0);
    }
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let mut told = 0;
                for (notice, key) in notices {
                    told += usize::from(publish_once(conn, notice, key, now())?.is_some());
                }
                Ok::<_, AppError>(told)
            })
        })
        .await
}
