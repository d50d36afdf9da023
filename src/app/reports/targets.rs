//! The targets of every zkT's agreement of a year at a glance: each judged as
//! `GET /agreements/{id}/targets` judges it.

use chrono::NaiveDate;

use crate::app::agreements::targets::{AgreementTargets, judged};
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{Agreement, AgreementFilter, AgreementKind, AgreementStatus};
use crate::store::agreements;

/// The `targets` agreements in force in `year` the caller may see, by Träger, each judged on
/// the figures known at `as_of`.
pub async fn of_year(
    services: &Services,
    visibility: Visibility,
    year: i32,
    as_of: Option<NaiveDate>,
) -> Result<Vec<AgreementTargets>, AppError> {
    let seen_by = visibility.clone();
    let found = services
        .db()
        .run(move |conn| {
            let filter = AgreementFilter {
                year: Some(year),
                traeger: None,
                status: Some(AgreementStatus::InForce),
            };
            let found: Vec<Agreement> = agreements::list(conn, &seen_by, &filter, None, i64::MAX)?
                .into_iter()
                .filter(|a| a.kind == AgreementKind::Targets)
                .collect();
            Ok::<_, AppError>(found)
        })
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for a in found {
        out.push(judged(services, visibility.clone(), a.id, as_of).await?);
    }
    out.sort_by(|a, b| a.agreement.traeger.cmp(&b.agreement.traeger));
    Ok(out)
}
