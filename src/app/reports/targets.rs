//! The targets of every zkT's agreement of a year at a glance: each judged as
//! `GET /agreements/{id}/targets` judges it.

use chrono::NaiveDate;

use crate::app::agreements::targets::{Judged, judged};
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{Agreement, AgreementFilter, AgreementKind, AgreementStatus};
use crate::domain::traeger::TraegerFilter;
use crate::store::{agreements, traeger};

/// One agreement's targets judged, with its Träger's name.
#[derive(Debug, Clone)]
pub struct AgreementTargets {
    pub agreement: Agreement,
    pub traeger_name: String,
    pub judged: Vec<Judged>,
}

/// The `targets` agreements in force in `year` the caller may see, by Träger, each judged on
/// the figures known at `as_of`.
pub async fn of_year(
    services: &Services,
    visibility: Visibility,
    year: i32,
    as_of: Option<NaiveDate>,
) -> Result<Vec<AgreementTargets>, AppError> {
    let seen_by = visibility.clone();
    let (found, names) = services
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
            let names: Vec<(String, String)> =
                traeger::list(conn, &seen_by, &TraegerFilter::default(), None, i64::MAX)?
                    .into_iter()
                    .map(|t| (t.ags.to_string(), t.content.name))
                    .collect();
            Ok::<_, AppError>((found, names))
        })
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for a in found {
        let (agreement, judged) = judged(services, visibility.clone(), a.id, as_of).await?;
        let traeger_name = names
            .iter()
            .find(|(ags, _)| *ags == agreement.traeger.as_str())
            .map_or_else(String::new, |(_, n)| n.clone());
        out.push(AgreementTargets {
            agreement,
            traeger_name,
            judged,
        });
    }
    out.sort_by(|a, b| a.agreement.traeger.cmp(&b.agreement.traeger));
    Ok(out)
}
