//! An agreement's targets judged against BA's figures of its Träger, as known at a day.

use chrono::NaiveDate;

use super::visible;
use crate::app::indicators::catalogue;
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::Agreement;
use crate::domain::agreement::judging::{Judgement, MonthFigure, judge, known_months};
use crate::domain::ids::AgreementId;
use crate::domain::indicator::Indicator;
use crate::store::transmissions::{self as transmission_store, Rows};

/// A target judged, with its indicator as the catalogue of the agreement's year defines it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub judgement: Judgement,
    pub indicator: Option<Indicator>,
}

/// The agreement's targets, each judged on BA's figures known at `as_of` (all when None): this
/// year's months, and last year's for a change against the year before. A Träger or Jobcenter
/// judges on what was forwarded to it.
pub async fn judged(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
    as_of: Option<NaiveDate>,
) -> Result<(Agreement, Vec<Judged>), AppError> {
    services
        .db()
        .run(move |conn| {
            let agreement = visible(conn, &visibility, &id)?;
            let ags = agreement.traeger.to_string();
            let only = [ags.as_str()];
            let mut transmissions = Vec::new();
            for year in [agreement.year - 1, agreement.year] {
                let all =
                    transmission_store::list(conn, &Visibility::All, Some(year), Rows::Of(&only))?;
                transmissions.extend(all.into_iter().filter_map(|t| t.seen_by(&visibility)));
            }
            let catalogue = catalogue(conn, agreement.year)?;
            let judged = agreement
                .targets
                .iter()
                .map(|target| {
                    let indicator = catalogue.get(&target.indicator).cloned();
                    let months: Vec<MonthFigure> =
                        known_months(&transmissions, &agreement.traeger, &target.indicator, as_of);
                    let unit = indicator
                        .as_ref()
                        .map_or(crate::domain::indicator::Unit::Count, |i| i.definition.unit);
                    Judged {
                        judgement: judge(target, agreement.year, unit, &months),
                        indicator,
                    }
                })
                .collect();
            Ok((agreement, judged))
        })
        .await
}
