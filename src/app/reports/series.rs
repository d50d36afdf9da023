//! One indicator across the years (a Kennzahl month by month), for one Träger or all it may
//! see: the accepted figures of the Träger, and BA's figures as they were last received (a
//! Träger: forwarded). Drafts, figures under review and returned ones are not in it: a series
//! shows what holds.

use crate::app::exports::{Export, FactFilter};
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::fact::{Fact, FactState};
use crate::domain::figure::Figure;
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::traeger::Ags;
use crate::domain::transmission::BaMarker;

/// The longest span one series covers.
pub const MAX_YEARS: i32 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub year: i32,
    /// The Bezugsmonat of a Kennzahl; None for a figure of the whole year.
    pub month: Option<u32>,
    pub traeger: String,
    pub traeger_name: String,
    pub value: Option<Figure>,
    /// BA's mark in place of a value (`suppressed` is never 0).
    pub marker: Option<BaMarker>,
    pub source: Source,
    /// The submission or transmission it comes from.
    pub origin: String,
}

fn holds(f: &Fact) -> bool {
    f.reporting_body.is_none()
        && match f.origin.source {
            Source::Traeger => f.origin.state == FactState::Accepted,
            Source::Ba => true,
        }
}

/// The series of `indicator` from `from` to `to` (years), of `traeger` or all the caller may
/// see, by year (a Kennzahl: by month) and Träger; a later transmission of a year replaces an
/// earlier one's row of the same month.
pub async fn of_indicator(
    services: &Services,
    visibility: Visibility,
    indicator: IndicatorCode,
    traeger: Option<Ags>,
    (from, to): (i32, i32),
) -> Result<Vec<Point>, AppError> {
    let mut points: Vec<Point> = Vec::new();
    for year in from..=to {
        let filter = FactFilter {
            year: Some(year),
            traeger: traeger.clone(),
            indicator: Some(indicator.clone()),
            ..FactFilter::default()
        };
        let mut export = Export::start(services, visibility.clone(), filter).await?;
        while let Some(batch) = export.next_batch().await? {
            for f in batch.into_iter().filter(holds) {
                points.retain(|p| {
                    (p.year, p.month, p.traeger.as_str()) != (year, f.month, &f.traeger.ags)
                });
                points.push(Point {
                    year,
                    month: f.month,
                    traeger: f.traeger.ags.clone(),
                    traeger_name: f.traeger.name.clone(),
                    value: f.value,
                    marker: f.marker,
                    source: f.origin.source,
                    origin: f.origin.id.clone(),
                });
            }
        }
    }
    points.sort_by(|a, b| (a.year, a.month, &a.traeger).cmp(&(b.year, b.month, &b.traeger)));
    Ok(points)
}
