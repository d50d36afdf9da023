//! An agreement's targets judged against the actual figures of its Träger, as known at a day:
//! BA's Kennzahlen month by month, and a figure of the whole year from what holds of it (the
//! Träger's accepted figures, BA's as last received).

use chrono::NaiveDate;

use super::visible;
use crate::app::indicators::catalogue;
use crate::app::reports::series;
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::Agreement;
use crate::domain::agreement::judging::{Judgement, MonthFigure, judge, known_months};
use crate::domain::ids::AgreementId;
use crate::domain::indicator::{Catalogue, Indicator, Reference, Unit};
use crate::domain::transmission::Transmission;
use crate::store::transmissions::{self as transmission_store, Rows};

/// A target judged, with its indicator as the catalogue of the agreement's year defines it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub judgement: Judgement,
    pub indicator: Option<Indicator>,
}

/// The agreement, the transmissions of its year and the year before as the caller may see
/// them (with its Träger's rows only), and the catalogue of its year.
async fn read(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
) -> Result<(Agreement, Vec<Transmission>, Catalogue), AppError> {
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
            Ok((agreement, transmissions, catalogue))
        })
        .await
}

/// The figures of the whole year (this one and the one before) that hold for `indicator`.
async fn yearly(
    services: &Services,
    visibility: &Visibility,
    agreement: &Agreement,
    indicator: &Indicator,
) -> Result<Vec<MonthFigure>, AppError> {
    let span = (agreement.year - 1, agreement.year);
    let traeger = Some(agreement.traeger.clone());
    let points = series::of_indicator(
        services,
        visibility.clone(),
        indicator.code.clone(),
        traeger,
        span,
    )
    .await?;
    Ok(points
        .into_iter()
        .map(|p| MonthFigure {
            year: p.year,
            month: None,
            value: p.value,
            marker: p.marker,
            data_as_of: None,
            origin: p.origin,
            version: 0,
        })
        .collect())
}

/// The agreement's targets, each judged on the figures known at `as_of` (all when None): this
/// year's, and last year's for a change against the year before. A Träger or Jobcenter judges
/// on what was forwarded to it.
pub async fn judged(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
    as_of: Option<NaiveDate>,
) -> Result<(Agreement, Vec<Judged>), AppError> {
    let (agreement, transmissions, catalogue) = read(services, visibility.clone(), id).await?;
    let mut out = Vec::with_capacity(agreement.targets.len());
    for target in &agreement.targets {
        let indicator = catalogue.get(&target.indicator).cloned();
        let months = match &indicator {
            Some(ind) if ind.definition.reference != Reference::Monthly => {
                yearly(services, &visibility, &agreement, ind).await?
            }
            _ => known_months(&transmissions, &agreement.traeger, &target.indicator, as_of),
        };
        let unit = indicator
            .as_ref()
            .map_or(Unit::Count, |i| i.definition.unit);
        out.push(Judged {
            judgement: judge(target, agreement.year, unit, &months),
            indicator,
        });
    }
    Ok((agreement, out))
}
