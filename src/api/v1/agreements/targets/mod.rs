//! `/api/v1/agreements/{id}/targets`: each target against the actual figures, month by month,
//! with the Datenstand each rests on; as JSON, a chart or German CSV.

pub mod chart;
pub mod table;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::TAG;
use crate::api::formats::{ReportFormat, negotiated};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems, NotFound};
use crate::api::schemas::Document;
use crate::api::schemas::FigureValue;
use crate::app::Services;
use crate::app::agreements::targets::{self as app, Judged};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::agreement::judging::{MonthFigure, TargetStatus};
use crate::domain::agreement::targets::{Comparison, Operator};
use crate::domain::calendar::period;
use crate::domain::ids::AgreementId;
use crate::domain::transmission::BaMarker;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"month": "2024-07", "value": "0.9713", "status": null,
    "data_as_of": "2024-10-15", "origin": "ba-2024-1", "version": 1}))]
pub struct MonthValue {
    /// The Bezugsmonat (`2024-07`), or the year (`2024`) for a figure of the whole year.
    pub month: String,
    #[schema(value_type = Option<FigureValue>)]
    pub value: Option<serde_json::Value>,
    /// BA's mark in place of a value: `suppressed`, `nil`, `not_applicable`.
    pub status: Option<BaMarker>,
    /// BA's Datenstand the figure rests on.
    pub data_as_of: Option<NaiveDate>,
    /// The transmission, or the Träger's submission, the figure comes from.
    pub origin: String,
    /// The transmission's version; 0 for a submission's accepted figure.
    pub version: i32,
}

impl From<MonthFigure> for MonthValue {
    fn from(m: MonthFigure) -> Self {
        MonthValue {
            month: period(m.year, m.month),
            value: m.value.as_ref().map(|f| f.to_json()),
            status: m.marker,
            data_as_of: m.data_as_of,
            origin: m.origin,
            version: m.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "indicator": "k3", "name_de": "Veränderung des Bestands an Langzeitleistungsbeziehenden", "unit": "ratio",
    "comparison": "change_vs_previous_year", "operator": "at_most", "value": "-0.25", "judged_on": "2024-07",
    "status": "met", "actual": "-2.87",
    "judged": {"month": "2024-07", "value": "0.9713", "status": null, "data_as_of": "2024-10-15", "origin": "ba-2024-1", "version": 1},
    "series": []
}))]
pub struct TargetJudgement {
    pub indicator: String,
    pub name_de: Option<String>,
    pub unit: Option<String>,
    pub comparison: Comparison,
    pub operator: Operator,
    /// The target, a level in the unit or a change in percent.
    pub value: String,
    pub judged_on: Option<String>,
    /// `met`, `not_met`, or `pending` while the month judged on has no figure.
    pub status: TargetStatus,
    /// What is compared with the target: the value, or its change against the same month a
    /// year before in percent; null while pending.
    pub actual: Option<String>,
    /// The month judged on: `judged_on`'s, or the latest of the year with a figure.
    pub judged: Option<MonthValue>,
    /// The months of the agreement's year as known.
    pub series: Vec<MonthValue>,
}

impl From<Judged> for TargetJudgement {
    fn from(j: Judged) -> Self {
        let (judgement, indicator) = (j.judgement, j.indicator);
        let t = judgement.target;
        TargetJudgement {
            indicator: t.indicator.into(),
            name_de: indicator.as_ref().map(|i| i.definition.name_de.clone()),
            unit: indicator
                .as_ref()
                .map(|i| i.definition.unit.as_str().to_owned()),
            comparison: t.comparison,
            operator: t.operator,
            value: t.value,
            judged_on: t.judged_on.map(String::from),
            status: judgement.status,
            actual: judgement.actual.map(|f| f.to_string()),
            judged: judgement.judged.map(MonthValue::from),
            series: judgement.series.into_iter().map(MonthValue::from).collect(),
        }
    }
}

/// K3 judged for Darmstadt-Dieburg in July 2024: the example every targets report shows.
pub fn k3_judged_example() -> serde_json::Value {
    serde_json::json!({
        "indicator": "k3", "name_de": "Veränderung des Bestands an Langzeitleistungsbeziehenden",
        "unit": "ratio", "comparison": "change_vs_previous_year", "operator": "at_most",
        "value": "-0.25", "judged_on": "2024-07", "status": "met", "actual": "-2.87",
        "judged": {"month": "2024-07", "value": "0.9713", "status": null,
                   "data_as_of": "2024-10-15", "origin": "ba-2024-1", "version": 1},
        "series": [{"month": "2024-06", "value": "0.9731", "status": null,
                    "data_as_of": "2024-10-15", "origin": "ba-2024-1", "version": 1},
                   {"month": "2024-07", "value": "0.9713", "status": null,
                    "data_as_of": "2024-10-15", "origin": "ba-2024-1", "version": 1}]
    })
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "agreement_id": "zv-2024-06432-1", "traeger": "06432", "year": 2024, "as_of": "2024-11-01",
    "items": [k3_judged_example()]
}))]
pub struct TargetsReport {
    pub agreement_id: String,
    pub traeger: String,
    pub year: i32,
    /// The day the figures were known at; null: every figure known now.
    pub as_of: Option<NaiveDate>,
    pub items: Vec<TargetJudgement>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetsQuery {
    /// Judge on the figures known on this day: BA's by their Datenstand (e.g. before a
    /// revision), the Träger's as accepted by then; left out: the latest.
    #[param(value_type = Option<String>, format = Date, example = "2024-11-01")]
    pub as_of: Option<String>,
    /// Instead of `Accept`: `json`, `csv`, `svg` (the chart) or `xlsx`.
    pub format: Option<ReportFormat>,
}

/// Target against actual
///
/// Every role that may read the agreement (a Träger or Jobcenter its own, on what was
/// forwarded to it). Each target with the month it is judged on, the actual value (or its
/// change against the same month a year before), `met`/`not_met`/`pending`, the year's months
/// and the Datenstand each rests on. With `Accept: image/svg+xml`, a chart: one panel per
/// target, the months as a line, the target across, BA's suppressed months marked; with
/// `Accept: text/csv`, a row per target for German spreadsheets; with `format=xlsx` (or its
/// `Accept`) the same rows as a workbook.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "zv-2024-06432-1"), TargetsQuery),
    responses(
    (status = 200, description = "The targets judged", content(
        (TargetsReport = "application/json"),
        (String = "image/svg+xml"),
        (String = "text/csv"),
        (Document = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/agreements/{id}/targets")]
pub async fn agreement_targets(
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<TargetsQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let id: AgreementId = params::id(&id)?;
    let q = query.into_inner();
    let as_of = params::date("as_of", q.as_of.as_deref())?;
    let t = app::judged(&services, visibility, id, as_of).await?;
    let (ags, year) = (t.agreement.traeger.as_str(), t.agreement.year);
    let title = format!("Zielvereinbarung {year}, {}: Ziel und Ist", t.traeger_name);
    let file = format!("targets-{}", t.agreement.id);
    negotiated(
        &req,
        q.format,
        || Some(chart::svg(&title, &[(ags, &t.judged)])),
        || table::table(std::slice::from_ref(&t), file),
        || TargetsReport {
            agreement_id: t.agreement.id.to_string(),
            traeger: ags.to_owned(),
            year,
            as_of,
            items: t
                .judged
                .iter()
                .cloned()
                .map(TargetJudgement::from)
                .collect(),
        },
    )
}
