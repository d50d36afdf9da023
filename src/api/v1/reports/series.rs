//! `GET /reports/series`: one indicator across the years (a Kennzahl month by month), as
//! JSON, German CSV or a chart.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::TAG;
use crate::api::formats::{ReportFormat, negotiated};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems};
use crate::api::schemas::Document;
use crate::api::schemas::FigureValue;
use crate::api::tables::Table;
use crate::app::Services;
use crate::app::reports::series::{self, MAX_YEARS, Point};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::calendar::period;
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::transmission::BaMarker;
use crate::printing::charts::{self, Line, Panel};
use crate::sheets::{Cell, Column, Number};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2024, "month": "2024-07", "traeger": "06432",
    "traeger_name": "Landkreis Darmstadt-Dieburg", "value": "26.7", "status": null,
    "source": "ba", "origin": "ba-2024-1"}))]
pub struct SeriesPoint {
    pub year: i32,
    /// The Bezugsmonat of a Kennzahl (`2024-07`); null for a figure of the whole year.
    #[schema(example = "2024-07")]
    pub month: Option<String>,
    pub traeger: String,
    pub traeger_name: String,
    /// A count as a number, an amount or quotient as a decimal string; null when BA marked it.
    #[schema(value_type = Option<FigureValue>)]
    pub value: Option<serde_json::Value>,
    /// BA's mark in place of a value: `suppressed`, `nil`, `not_applicable`.
    pub status: Option<BaMarker>,
    pub source: Source,
    /// The submission or transmission the value comes from.
    pub origin: String,
}

impl From<Point> for SeriesPoint {
    fn from(p: Point) -> Self {
        SeriesPoint {
            year: p.year,
            month: p.month.map(|m| period(p.year, Some(m))),
            traeger: p.traeger,
            traeger_name: p.traeger_name,
            value: p.value.as_ref().map(|f| f.to_json()),
            status: p.marker,
            source: p.source,
            origin: p.origin,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"indicator": "k3", "from": 2024, "to": 2024, "items": [
    {"year": 2024, "month": "2024-06", "traeger": "06432",
     "traeger_name": "Landkreis Darmstadt-Dieburg", "value": "0.9731", "status": null,
     "source": "ba", "origin": "ba-2024-1"},
    {"year": 2024, "month": "2024-07", "traeger": "06411", "traeger_name": "Wissenschaftsstadt Darmstadt",
     "value": null, "status": "suppressed", "source": "ba", "origin": "ba-2024-1"}
]}))]
pub struct SeriesReport {
    pub indicator: String,
    pub from: i32,
    pub to: i32,
    /// By year (a Kennzahl: by month), then Träger.
    pub items: Vec<SeriesPoint>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesQuery {
    #[param(example = "debt_counselling_stock")]
    pub indicator: String,
    /// One Träger; left out: every Träger the caller may see.
    #[param(example = "06633")]
    pub traeger: Option<String>,
    #[param(minimum = 2005, maximum = 2100, example = 2023)]
    pub from: i64,
    /// Left out: `from`. From `from` to at most 30 years after it.
    #[param(example = 2024)]
    pub to: Option<i64>,
    /// Instead of `Accept`: `json`, `csv`, `svg` (the chart) or `xlsx`.
    pub format: Option<ReportFormat>,
}

/// The series as a chart: a line per Träger over the years (a Kennzahl: over the months),
/// BA's marks crossed.
fn series_chart(indicator: &str, (from, to): (i32, i32), points: &[Point]) -> String {
    let monthly = points.iter().any(|p| p.month.is_some());
    // Months count on from January of year 0, so one axis spans several years.
    let x_of = |p: &Point| match p.month {
        Some(m) => p.year * 12 + m as i32 - 1,
        None => p.year,
    };
    let mut lines: Vec<Line> = Vec::new();
    for p in points {
        let point = (x_of(p), p.value.as_ref().and_then(|f| f.approx()));
        match lines.iter_mut().find(|l| l.label == p.traeger_name) {
            Some(line) => line.points.push(point),
            None => lines.push(Line {
                label: p.traeger_name.clone(),
                points: vec![point],
            }),
        }
    }
    let (x, x_label): ((i32, i32), fn(i32) -> String) = if monthly {
        let label = |x: i32| format!("{}-{:02}", x.div_euclid(12), x.rem_euclid(12) + 1);
        ((from * 12, to * 12 + 11), label)
    } else {
        // A single year still needs a span to draw on.
        ((from, to.max(from + 1)), |y| y.to_string())
    };
    let panel = Panel {
        caption: indicator.to_owned(),
        lines,
        target: None,
        x,
        x_label,
    };
    charts::svg(&format!("{indicator} {from}–{to}"), &[panel])
}

const COLUMNS: [Column; 8] = [
    Column::new("year", "Jahr", 6.0),
    Column::new("month", "Monat", 8.0),
    Column::new("traeger", "AGS", 8.0),
    Column::new("traeger_name", "Träger", 28.0),
    Column::new("value", "Wert", 12.0),
    Column::new("status", "Kennzeichen", 12.0),
    Column::new("source", "Quelle", 8.0),
    Column::new("origin", "Herkunft", 16.0),
];

/// The series as a table, a row per point; BA's marks as BA prints them.
fn series_table<'p>(indicator: &str, (from, to): (i32, i32), points: &'p [Point]) -> Table<'p> {
    let rows = points
        .iter()
        .map(|p| {
            vec![
                Cell::Number(f64::from(p.year), Number::Integer),
                p.month
                    .map_or(Cell::Empty, |m| Cell::Owned(period(p.year, Some(m)))),
                Cell::Id(&p.traeger),
                Cell::Text(&p.traeger_name),
                Cell::figure(p.value.as_ref(), p.marker),
                Cell::opt(p.marker.map(|m| m.as_str())),
                Cell::Text(p.source.as_str()),
                Cell::Id(&p.origin),
            ]
        })
        .collect();
    Table {
        sheet: ("series", "Zeitreihe"),
        file: format!("series-{indicator}-{from}-{to}"),
        columns: &COLUMNS,
        rows,
    }
}

/// One indicator across the years
///
/// Every role within its visibility (HMSI all, a Träger or Jobcenter its own): the accepted
/// figures of the Träger and BA's figures as last received (a Träger: as forwarded), year by
/// year, a Kennzahl month by month. Drafts, figures under review and returned ones are not in it. With `Accept:
/// image/svg+xml` a chart (a line per Träger, BA's marks crossed, never drawn as 0); with
/// `Accept: text/csv` CSV for German spreadsheets; with `Accept` of XLSX (or `format=xlsx`) a
/// workbook.
#[utoipa::path(tag = TAG, params(SeriesQuery), responses(
    (status = 200, description = "The series", content(
        (SeriesReport = "application/json"),
        (String = "image/svg+xml"),
        (String = "text/csv"),
        (Document = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/reports/series")]
pub async fn series_report(
    principal: Principal,
    req: HttpRequest,
    query: web::Query<SeriesQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSeries)?;
    let q = query.into_inner();
    let indicator = IndicatorCode::parse(&q.indicator)
        .map_err(|e| ApiError::BadRequest(format!("`indicator`: {e}")))?;
    let traeger = params::traeger(q.traeger.as_deref())?;
    let from = params::year(Some(q.from))?.unwrap_or_default();
    let to = params::year(Some(q.to.unwrap_or(q.from)))?.unwrap_or_default();
    if to < from || to - from >= MAX_YEARS {
        return Err(ApiError::BadRequest(format!(
            "`to` must lie between `from` and {MAX_YEARS} years after it"
        )));
    }
    let points = series::of_indicator(
        &services,
        visibility,
        indicator.clone(),
        traeger,
        (from, to),
    )
    .await?;
    negotiated(
        &req,
        q.format,
        || Some(series_chart(indicator.as_str(), (from, to), &points)),
        || series_table(indicator.as_str(), (from, to), &points),
        || SeriesReport {
            indicator: indicator.to_string(),
            from,
            to,
            items: points.iter().cloned().map(SeriesPoint::from).collect(),
        },
    )
}
