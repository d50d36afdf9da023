//! `GET /reports/targets`: every zkT's targets at a glance.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::TAG;
use crate::api::formats::{ReportFormat, negotiated};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems};
use crate::api::schemas::Document;
use crate::api::v1::agreements::targets::{TargetJudgement, chart, k3_judged_example, table};
use crate::app::Services;
use crate::app::agreements::targets::Judged;
use crate::app::reports::targets;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "agreement_id": "zv-2024-06432-1", "traeger": "06432",
    "traeger_name": "Landkreis Darmstadt-Dieburg", "targets": [k3_judged_example()]
}))]
pub struct AgreementTargetsResponse {
    pub agreement_id: String,
    pub traeger: String,
    pub traeger_name: String,
    pub targets: Vec<TargetJudgement>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2024, "as_of": null, "items": [{
    "agreement_id": "zv-2024-06432-1", "traeger": "06432",
    "traeger_name": "Landkreis Darmstadt-Dieburg", "targets": [k3_judged_example()]
}]}))]
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
    /// Judge on the figures known on this day: BA's by their Datenstand, the Träger's as
    /// accepted by then; left out: the latest.
    #[param(value_type = Option<String>, format = Date, example = "2024-11-01")]
    pub as_of: Option<String>,
    /// Instead of `Accept`: `json`, `csv`, `svg` (the chart) or `xlsx`.
    pub format: Option<ReportFormat>,
}

/// Every zkT's targets at a glance
///
/// HMSI every `targets` agreement in force in the year; a Träger or Jobcenter its own. Each
/// target judged as `GET /agreements/{id}/targets` judges it. With `Accept: image/svg+xml`
/// a chart (a panel per target of every agreement), with `Accept: text/csv` a row per target
/// for German spreadsheets; with `format=xlsx` (or its `Accept`) the same rows as a workbook.
#[utoipa::path(tag = TAG, params(TargetsOverviewQuery), responses(
    (status = 200, description = "The year's targets judged", content(
        (TargetsOverview = "application/json"),
        (String = "image/svg+xml"),
        (String = "text/csv"),
        (Document = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/reports/targets")]
pub async fn targets_report(
    principal: Principal,
    req: HttpRequest,
    query: web::Query<TargetsOverviewQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSeries)?;
    let q = query.into_inner();
    let year = params::year(Some(q.year))?.unwrap_or_default();
    let as_of = params::date("as_of", q.as_of.as_deref())?;
    let all = targets::of_year(&services, visibility, year, as_of).await?;
    let panels: Vec<(&str, &[Judged])> = all
        .iter()
        .map(|a| (a.traeger_name.as_str(), a.judged.as_slice()))
        .collect();
    negotiated(
        &req,
        q.format,
        || {
            Some(chart::svg(
                &format!("Zielvereinbarungen {year}: Ziel und Ist"),
                &panels,
            ))
        },
        || table::table(&all, format!("targets-{year}")),
        || TargetsOverview {
            year,
            as_of,
            items: all
                .iter()
                .map(|a| AgreementTargetsResponse {
                    agreement_id: a.agreement.id.to_string(),
                    traeger: a.agreement.traeger.to_string(),
                    traeger_name: a.traeger_name.clone(),
                    targets: a
                        .judged
                        .iter()
                        .cloned()
                        .map(TargetJudgement::from)
                        .collect(),
                })
                .collect(),
        },
    )
}
