//! `POST /api/v1/agreements/bulk`: the year's drafts for many Träger in one call.

use actix_web::http::header::HeaderValue;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{TAG, year_value};
use crate::api::headers::{IDEMPOTENT_REPLAYED, IdempotencyKey};
use crate::api::problem::{ApiError, CommonProblems, JsonBodyProblems};
use crate::app::Services;
use crate::app::agreements::{self as app, Drafting};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violations;
use crate::domain::traeger::Ags;

/// At most this many Träger in one call: the 26 of Hessen with room to spare.
const MAX_TRAEGER: usize = 100;

/// The year, and the Träger (all registered ones when left out).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2023, "traeger": ["06611", "06633"]}))]
pub struct BulkDraftRequest {
    #[schema(value_type = i32, required = true, example = 2023)]
    pub year: Option<i64>,
    /// AGS of the Träger, each once; every registered Träger when left out.
    #[schema(max_items = 100)]
    pub traeger: Option<Vec<String>>,
}

/// What the call did for one Träger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// A new draft, `agreement_id`.
    Created,
    /// The Träger has an agreement for the year already, `agreement_id`.
    Skipped,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkDraftResult {
    #[schema(example = "06611")]
    pub traeger: String,
    pub outcome: BulkOutcome,
    #[schema(example = "zv-2023-06611-1")]
    pub agreement_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2023, "results": [
    {"traeger": "06611", "outcome": "created", "agreement_id": "zv-2023-06611-1"},
    {"traeger": "06633", "outcome": "skipped", "agreement_id": "zv-2023-06633-1"}]}))]
pub struct BulkDraftResponse {
    pub year: i32,
    /// One per Träger, in the order asked (by AGS when all).
    pub results: Vec<BulkDraftResult>,
}

/// Draft the year's agreements for many Träger
///
/// HMSI only, with scope `write`. Drafts each named Träger's agreement (every registered Träger's
/// when none are named) from the year's template, in one transaction: all of them, or on any
/// problem none. A Träger with an agreement for the year already is `skipped`, so the call can
/// be repeated; with an `Idempotency-Key` a retry returns the first answer.
#[utoipa::path(tag = TAG,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = BulkDraftRequest, responses(
    (status = 200, description = "What was done for each Träger", body = BulkDraftResponse),
    JsonBodyProblems,
    CommonProblems,
), security(("bearer" = [])))]
#[post("/agreements/bulk")]
pub async fn draft_agreements(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<BulkDraftRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DraftAgreements)?;
    let b = body.into_inner();
    let mut v = Violations::default();
    let year = year_value("/year", b.year)
        .map_err(|e| v.push(e.pointer, e.message))
        .ok();
    let mut named: Vec<Ags> = Vec::new();
    let list = b.traeger.unwrap_or_default();
    if list.len() > MAX_TRAEGER {
        v.push(
            "/traeger",
            format!("at most {MAX_TRAEGER} Träger in one call"),
        );
    }
    for (i, raw) in list.iter().enumerate() {
        match Ags::parse(raw) {
            Ok(a) if named.contains(&a) => v.push(format!("/traeger/{i}"), "is listed twice"),
            Ok(a) => named.push(a),
            Err(e) => v.push(format!("/traeger/{i}"), e),
        }
    }
    let year = v.into_result(|| year).map_err(ApiError::invalid)?;
    let named = (!list.is_empty()).then_some(named);
    let actor = principal.actor();
    let outcome = app::draft_many(&services, actor, visibility, year, named, key.0).await?;
    let results = outcome
        .value
        .into_iter()
        .map(|(ags, drafting)| {
            let (outcome, id) = match drafting {
                Drafting::Created(a) => (BulkOutcome::Created, a.id),
                Drafting::Skipped(id) => (BulkOutcome::Skipped, id),
            };
            BulkDraftResult {
                traeger: ags.into(),
                outcome,
                agreement_id: id.into(),
            }
        })
        .collect();
    let mut res = HttpResponse::Ok().json(BulkDraftResponse { year, results });
    if outcome.replayed {
        res.headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(res)
}
