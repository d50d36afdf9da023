//! `GET /reports/completeness`: how complete a year's deliveries are, by section.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::TAG;
use crate::api::formats::{ReportFormat, negotiated};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems};
use crate::api::schemas::Document;
use crate::api::tables::Table;
use crate::app::Services;
use crate::app::reports::completeness::{self, Completeness, Missing};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::progress::ObligationStatus;
use crate::sheets::{Cell, Column, Number};

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
    /// Instead of `Accept`: `json`, `csv` or `xlsx` (this report has no chart).
    pub format: Option<ReportFormat>,
}

const COLUMNS: [Column; 13] = [
    Column::new("year", "Jahr", 6.0),
    Column::new("section", "Abschnitt", 10.0),
    Column::new("title_de", "Titel", 28.0),
    Column::new("due", "fällig am", 11.0),
    Column::new("traeger_total", "Träger", 8.0),
    Column::new("delivered", "geliefert", 9.0),
    Column::new("late", "verspätet", 9.0),
    Column::new("overdue", "überfällig", 9.0),
    Column::new("returned", "zurückgegeben", 12.0),
    Column::new("open", "offen", 7.0),
    Column::new("without_agreement", "ohne Vereinbarung", 10.0),
    Column::new("missing", "fehlt", 40.0),
    Column::new("summary_de", "Zusammenfassung", 60.0),
];

/// A row per section; who is missing as `06611 Stadt Kassel: overdue`, one after another.
fn completeness_table(year: i32, items: &[Completeness]) -> Table<'_> {
    let count = |n: usize| Cell::Number(n as f64, Number::Integer);
    let rows = items
        .iter()
        .map(|c| {
            let missing: Vec<String> = c
                .missing
                .iter()
                .map(|m| {
                    let status = m.status.map_or("without_agreement", |s| s.as_str());
                    format!("{} {}: {status}", m.traeger, m.name)
                })
                .collect();
            vec![
                Cell::Number(f64::from(year), Number::Integer),
                Cell::Text(&c.section),
                Cell::Text(&c.title_de),
                c.due.map_or(Cell::Empty, Cell::Date),
                count(c.traeger_total),
                count(c.delivered),
                count(c.late),
                count(c.overdue),
                count(c.returned),
                count(c.open),
                count(c.without_agreement),
                Cell::Owned(missing.join("; ")),
                Cell::Owned(c.summary_de()),
            ]
        })
        .collect();
    Table {
        sheet: ("completeness", "Vollständigkeit"),
        file: format!("completeness-{year}"),
        columns: &COLUMNS,
        rows,
    }
}

/// How complete a year's deliveries are
///
/// HMSI only (scope `read`). Per section of the year's agreements: how many of the Träger
/// delivered (how many late), and who is overdue, returned, not yet due or without a binding
/// agreement, by name. With `Accept: text/csv` (or `format=csv`) a row per section for German
/// spreadsheets, with `format=xlsx` a workbook.
#[utoipa::path(tag = TAG, params(CompletenessQuery), responses(
    (status = 200, description = "The year's completeness by section", content(
        (CompletenessReport = "application/json"),
        (String = "text/csv"),
        (Document = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/reports/completeness")]
pub async fn completeness_report(
    principal: Principal,
    req: HttpRequest,
    query: web::Query<CompletenessQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::ReadReports)?;
    let q = query.into_inner();
    let year = params::year(Some(q.year))?.unwrap_or_default();
    let items = completeness::of_year(&services, year, q.section).await?;
    negotiated(
        &req,
        q.format,
        || None,
        || completeness_table(year, &items),
        || CompletenessReport {
            year,
            items: items
                .iter()
                .cloned()
                .map(CompletenessResponse::from)
                .collect(),
        },
    )
}
