//! Where obligations stand: per agreement, and across all Träger for HMSI.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::indicators::IndicatorResponse;
use crate::api::headers::{kept_json, rendered_json};
use crate::api::pagination::{self, next_cursor, page_of};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems, NotFound};
use crate::app::Services;
use crate::app::obligations::{self as app, ObligationState, Overview};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::agreement::{AgreementStatus, Party, Recipient};
use crate::domain::ids::{AgreementId, ObligationId};
use crate::domain::progress::ObligationStatus;

pub const TAG: &str = "obligations";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_agreement_obligations)
        .service(list_obligations);
}

/// An obligation, its indicators and where it stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "zv-2023-06633-1.3", "agreement_id": "zv-2023-06633-1", "agreement_status": "in_force",
    "traeger": "06633", "year": 2023,
    "section": "§ 2 (3)", "title_de": "Schuldnerberatung", "delivered_by": "traeger",
    "recipients": ["jobcenter", "hmsi"], "due": "2024-02-15", "note": "von den Schuldnerberatungen erhoben",
    "indicators": ["debt_counselling_stock", "debt_counselling_stock_sgb2", "debt_counselling_inflow", "debt_counselling_inflow_sgb2"],
    "status": "submitted", "late": true, "days_late": 5, "submission_id": "sub-zv-2023-06633-1.3",
    "receipts_confirmed": ["jobcenter"], "receipts_pending": ["hmsi"], "indicator_details": []
}))]
pub struct ObligationStateResponse {
    pub id: String,
    pub agreement_id: String,
    /// `in_force`, or `signed_by_one` while the other party's signature is outstanding: then
    /// nothing can be submitted yet.
    pub agreement_status: AgreementStatus,
    pub traeger: String,
    pub year: i32,
    pub section: String,
    pub title_de: String,
    pub delivered_by: Party,
    pub recipients: Vec<Recipient>,
    pub due: Option<NaiveDate>,
    pub note: Option<String>,
    pub indicators: Vec<String>,
    /// Delivered by the Träger: `open` (not due, nothing submitted), `overdue` (due passed,
    /// nothing submitted), `submitted`, `returned`, `fulfilled` (accepted). Delivered by HMSI
    /// from BA statistics: `open`/`overdue` until forwarded, `forwarded`, `acknowledged` by the
    /// Träger; figures HMSI keeps (§ 4) are `fulfilled` once BA delivered them.
    pub status: ObligationStatus,
    /// The newest submission came after the due date.
    pub late: bool,
    pub days_late: Option<i64>,
    pub submission_id: Option<String>,
    /// Recipients that confirmed receipt of the newest delivered revision, and those pending.
    pub receipts_confirmed: Vec<Recipient>,
    pub receipts_pending: Vec<Recipient>,
    /// The indicators as defined for the agreement's year.
    pub indicator_details: Vec<IndicatorResponse>,
}

impl From<ObligationState> for ObligationStateResponse {
    fn from(s: ObligationState) -> Self {
        let c = s.obligation.content;
        ObligationStateResponse {
            id: s.obligation.id.into(),
            agreement_id: s.agreement_id.into(),
            agreement_status: s.agreement_status,
            traeger: s.traeger.into(),
            year: s.year,
            section: c.section,
            title_de: c.title_de,
            delivered_by: c.delivered_by,
            recipients: c.recipients,
            due: c.due,
            note: c.note,
            indicators: c.indicators.into_iter().map(String::from).collect(),
            status: s.progress.status,
            late: s.progress.days_late.is_some(),
            days_late: s.progress.days_late,
            submission_id: s.submission_id.map(String::from),
            receipts_confirmed: s.progress.confirmed,
            receipts_pending: s.progress.pending,
            indicator_details: s
                .indicators
                .into_iter()
                .map(|i| IndicatorResponse::of(i, Some(s.year)))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationList {
    pub agreement_id: String,
    pub items: Vec<ObligationStateResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationPage {
    pub items: Vec<ObligationStateResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ObligationQuery {
    pub year: Option<i64>,
    /// AGS of the Träger.
    pub traeger: Option<String>,
    pub status: Option<ObligationStatus>,
    /// e.g. `§ 2 (3)`
    pub section: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// The obligations of an agreement and where they stand
///
/// Each obligation with its indicators as defined for the agreement's year and its status.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "zv-2023-06633-1")), responses(
    (status = 200, description = "The obligations", body = ObligationList),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/agreements/{id}/obligations")]
pub async fn list_agreement_obligations(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<web::Json<ObligationList>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let id: AgreementId = params::id(&id)?;
    let items = app::of_agreement(&services, visibility, id.clone()).await?;
    Ok(web::Json(ObligationList {
        agreement_id: id.into(),
        items: items
            .into_iter()
            .map(ObligationStateResponse::from)
            .collect(),
    }))
}

/// Obligations across all Träger
///
/// The obligations of every agreement in force or signed by one party (`agreement_status` says
/// which), with their status, so the ministry sees at a glance who is overdue. A Träger or
/// Jobcenter token sees its own Träger's only.
#[utoipa::path(tag = TAG, params(ObligationQuery), responses(
    (status = 200, description = "One page of obligations, by id", body = ObligationPage,
        headers(("ETag" = String, description = "Send as If-None-Match to be answered 304 while the page is the same"))),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/obligations")]
pub async fn list_obligations(
    principal: Principal,
    query: web::Query<ObligationQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let q = query.into_inner();
    let filter = Overview {
        year: params::year(q.year)?,
        traeger: params::traeger(q.traeger.as_deref())?,
        status: q.status,
        section: q.section,
    };
    let after = pagination::after::<ObligationId>(q.after.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    // The page's parameters besides the filter, the cursor as it was sent (checked above).
    let key = format!("{limit} {:?}", q.after);
    let page = app::overview_rendered(&services, visibility, filter, key, move |mut all| {
        let key = |s: &ObligationState| s.obligation.id.to_string();
        all.sort_by_key(key);
        let (items, more) = page_of(all, after.as_deref(), limit, key);
        let next = next_cursor(&items, more, key);
        rendered_json(&ObligationPage {
            items: items
                .into_iter()
                .map(ObligationStateResponse::from)
                .collect(),
            next,
        })
    })
    .await?;
    Ok(kept_json(&page))
}
