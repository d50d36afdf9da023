//! `/api/v1/reports`: what HMSI reads across all Träger — how complete a year's deliveries
//! are, and one indicator across the years.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::formats::{csv_start, csv_writer, prefers};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems};
use crate::api::schemas::FigureValue;
use crate::api::v1::agreements::targets::TargetJudgement;
use crate::app::Services;
use crate::app::reports::completeness::{self, Completeness, Missing};
use crate::app::reports::series::{self, MAX_YEARS, Point};
use crate::app::reports::targets;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::progress::ObligationStatus;
use crate::domain::transmission::{BaMarker, cell};
use crate::printing::charts::{self, Line, Panel};

pub const TAG: &str = "reports";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(completeness_report)
        .service(series_report)
        .service(targets_report);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"traeger": "06611", "name": "Stadt Kassel", "status": "overdue"}))]
pub struct MissingResponse {
    pub traeger: String,
    pub name: String,
    /// The obligation's status; null when the Träger has no binding agreement that year.
    pub status: Option<ObligationStatus>,
}

impl From<Missing> for MissingResponse {
    fn from(m: Missing) -> Self {
        MissingResponse {
            traeger: m.traeger.into(),
            name: m.name,
            status: m.status,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "section": "§ 2 (3)", "title_de": "Schuldnerberatung", "due": "2024-02-15",
    "traeger_total": 26, "delivered": 23, "late": 1, "overdue": 1, "returned": 0, "open": 0,
    "without_agreement": 2,
    "missing": [{"traeger": "06611", "name": "Stadt Kassel", "status": "overdue"}],
    "summary_de": "§ 2 (3) Schuldnerberatung: 23 von 26 geliefert (1 verspätet), 1 überfällig: Stadt Kassel, 2 ohne Vereinbarung: …"
}))]
pub struct CompletenessResponse {
    pub section: String,
    pub title_de: String,
    /// The earliest due date among the agreements.
    pub due: Option<NaiveDate>,
    pub traeger_total: usize,
    /// Submitted, accepted, or (BA figures) forwarded.
    pub delivered: usize,
    /// Of those delivered, how many after the due date.
    pub late: usize,
    pub overdue: usize,
    pub returned: usize,
    /// Not due yet, nothing delivered.
    pub open: usize,
    pub without_agreement: usize,
    /// Who has not delivered: overdue first, then returned, not yet due, without agreement.
    pub missing: Vec<MissingResponse>,
    pub summary_de: String,
}

impl From<Completeness> for CompletenessResponse {
    fn from(c: Completeness) -> Self {
        CompletenessResponse {
            summary_de: c.summary_de(),
            section: c.section,
            title_de: c.title_de,
            due: c.due,
            traeger_total: c.traeger_total,
            delivered: c.delivered,
            late: c.late,
            overdue: c.overdue,
            returned: c.returned,
            open: c.open,
            without_agreement: c.without_agreement,
            missing: c.missing.into_iter().map(MissingResponse::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessReport {
    pub year: i32,
    /// One per section of the year's agreements, in section order.
    pub items: Vec<CompletenessResponse>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompletenessQuery {
    /// The year of the agreements.
    #[param(minimum = 2005, maximum = 2100, example = 2023)]
    pub year: i64,
    /// One section only, e.g. `§ 2 (3)`.
    #[param(example = "§ 2 (3)")]
    pub section: Option<String>,
}

/// How complete a year's deliveries are
///
/// HMSI only (scope `read`). Per section of the year's agreements: how many of the Träger
/// delivered (how many late), and who is overdue, returned, not yet due or without a binding
/// agreement, by name.
#[utoipa::path(tag = TAG, params(CompletenessQuery), responses(
    (status = 200, description = "The year's completeness by section", body = CompletenessReport),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/reports/completeness")]
pub async fn completeness_report(
    principal: Principal,
    query: web::Query<CompletenessQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<CompletenessReport>, ApiError> {
    authorize(&principal, Permission::ReadReports)?;
    let q = query.into_inner();
    let year = params::year(Some(q.year))?.unwrap_or_default();
    let items = completeness::of_year(&services, year, q.section).await?;
    Ok(web::Json(CompletenessReport {
        year,
        items: items.into_iter().map(CompletenessResponse::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2023, "traeger": "06633", "traeger_name": "Landkreis Kassel",
    "value": 412, "status": null, "source": "traeger", "origin": "sub-zv-2023-06633-1.3"}))]
pub struct SeriesPoint {
    pub year: i32,
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
pub struct SeriesReport {
    pub indicator: String,
    pub from: i32,
    pub to: i32,
    /// By year, then Träger.
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
}

/// The series as a chart: a line per Träger over the years, BA's marks crossed.
fn series_chart(indicator: &str, (from, to): (i32, i32), points: &[Point]) -> String {
    let mut lines: Vec<Line> = Vec::new();
    for p in points {
        let value = p.value.as_ref().and_then(|f| f.approx());
        match lines.iter_mut().find(|l| l.label == p.traeger_name) {
            Some(line) => line.points.push((p.year, value)),
            None => lines.push(Line {
                label: p.traeger_name.clone(),
                points: vec![(p.year, value)],
            }),
        }
    }
    let panel = Panel {
        caption: indicator.to_owned(),
        lines,
        target: None,
        // A single year still needs a span to draw on.
        x: (from, to.max(from + 1)),
        x_label: |y| y.to_string(),
    };
    charts::svg(&format!("{indicator} {from}–{to}"), &[panel])
}

/// The series as CSV for German spreadsheets: `;`, a BOM, decimal commas, BA's marks as BA
/// prints them.
fn series_csv(points: &[Point]) -> Vec<u8> {
    let mut w = csv_writer(true, csv_start(true));
    let _ = w.write_record([
        "year",
        "traeger",
        "traeger_name",
        "value",
        "status",
        "source",
        "origin",
    ]);
    for p in points {
        let value = cell(p.value.as_ref(), p.marker, true);
        let _ = w.write_record([
            p.year.to_string().as_str(),
            &p.traeger,
            &p.traeger_name,
            &value,
            p.marker.map_or("", |m| m.as_str()),
            p.source.as_str(),
            &p.origin,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// One indicator across the years
///
/// Every role within its visibility (HMSI all, a Träger or Jobcenter its own): the accepted
/// figures of the Träger and BA's figures as last received (a Träger: as forwarded), year by
/// year. Drafts, figures under review and returned ones are not in it. With `Accept:
/// image/svg+xml` a chart (a line per Träger, BA's marks crossed, never drawn as 0); with
/// `Accept: text/csv` CSV for German spreadsheets.
#[utoipa::path(tag = TAG, params(SeriesQuery), responses(
    (status = 200, description = "The series", content(
        (SeriesReport = "application/json"),
        (String = "image/svg+xml"),
        (String = "text/csv"),
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
    let vary = (header::VARY, "Accept");
    if prefers(&req, "image/svg+xml") {
        let svg = series_chart(indicator.as_str(), (from, to), &points);
        return Ok(HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header(vary)
            .body(svg));
    }
    if prefers(&req, "text/csv") {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(vary)
            .body(series_csv(&points)));
    }
    Ok(HttpResponse::Ok().insert_header(vary).json(SeriesReport {
        indicator: indicator.into(),
        from,
        to,
        items: points.into_iter().map(SeriesPoint::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementTargetsResponse {
    pub agreement_id: String,
    pub traeger: String,
    pub traeger_name: String,
    pub targets: Vec<TargetJudgement>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsOverview {
    pub year: i32,
    /// The day the figures were known at; null: every figure known now.
    pub as_of: Option<NaiveDate>,
    /// One per `targets` agreement in force, by Träger.
    pub items: Vec<AgreementTargetsResponse>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetsOverviewQuery {
    #[param(minimum = 2005, maximum = 2100, example = 2024)]
    pub year: i64,
    /// Judge on the figures BA's data stood at on this day; left out: the latest.
    #[param(value_type = Option<String>, format = Date, example = "2024-11-01")]
    pub as_of: Option<String>,
}

/// Every zkT's targets at a glance
///
/// HMSI every `targets` agreement in force in the year; a Träger or Jobcenter its own. Each
/// target judged as `GET /agreements/{id}/targets` judges it.
#[utoipa::path(tag = TAG, params(TargetsOverviewQuery), responses(
    (status = 200, description = "The year's targets judged", body = TargetsOverview),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/reports/targets")]
pub async fn targets_report(
    principal: Principal,
    query: web::Query<TargetsOverviewQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<TargetsOverview>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSeries)?;
    let q = query.into_inner();
    let year = params::year(Some(q.year))?.unwrap_or_default();
    let as_of = params::date("as_of", q.as_of.as_deref())?;
    let all = targets::of_year(&services, visibility, year, as_of).await?;
    Ok(web::Json(TargetsOverview {
        year,
        as_of,
        items: all
            .into_iter()
            .map(|a| AgreementTargetsResponse {
                agreement_id: a.agreement.id.to_string(),
                traeger: a.agreement.traeger.to_string(),
                traeger_name: a.traeger_name,
                targets: a.judged.into_iter().map(TargetJudgement::from).collect(),
            })
            .collect(),
    }))
}
