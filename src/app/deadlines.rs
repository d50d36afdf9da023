//! Deadline events on the business date: `obligation.due_soon` from 14 days before an
//! obligation's due date, `obligation.overdue` from the day after, while nothing is submitted;
//! each once per obligation and kind, whichever replica tells it first (and, if the service was
//! down that day, on the first day it runs again while it still holds).

use chrono::Days;

use super::events::publish_once;
use super::obligations::{Detail, Overview, overview};
use super::{AppError, Services, now};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{AgreementStatus, Party};
use crate::domain::notice::{Audience, EventType, Notice, Subject};
use crate::domain::progress::ObligationStatus;
use crate::store::pool::write_transaction;

/// How long before its due date an obligation is due soon.
pub const DUE_SOON_DAYS: u64 = 14;

/// Tells what is due soon or overdue today; how many events it wrote.
pub async fn tell(services: &Services) -> Result<usize, AppError> {
    let today = services.clock().today();
    let states = overview(
        services,
        Visibility::All,
        Overview::default(),
        Detail::Standing,
    )
    .await?;
    let mut notices = Vec::new();
    for s in states {
        let c = &s.obligation.content;
        let Some(due) = c.due else { continue };
        if s.agreement_status != AgreementStatus::InForce || c.delivered_by != Party::Traeger {
            continue;
        }
        let soon = due
            .checked_sub_days(Days::new(DUE_SOON_DAYS))
            .unwrap_or(due);
        let kind = match s.progress.status {
            ObligationStatus::Open if today >= soon => EventType::ObligationDueSoon,
            ObligationStatus::Overdue => EventType::ObligationOverdue,
            _ => continue,
        };
        let key = format!("{}:{}", kind.as_str(), s.obligation.id);
        notices.push((
            Notice {
                event_type: kind,
                traeger: Some(s.traeger.clone()),
                audience: Audience::of(&s.traeger, true),
                subject: Subject::Obligation(s.obligation.id.clone()),
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
