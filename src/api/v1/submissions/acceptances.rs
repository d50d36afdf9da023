//! `POST /api/v1/submissions/acceptances`: HMSI accepts several reviewed submissions at once.

use std::collections::HashSet;

use actix_web::http::header::HeaderValue;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{SubmissionResponse, TAG};
use crate::api::headers::{IDEMPOTENT_REPLAYED, IdempotencyKey};
use crate::api::problem::{ApiError, CommonProblems, JsonBodyProblems, Problem};
use crate::app::Services;
use crate::app::submissions::{self as app, Acceptance, Accepted};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violations;
use crate::domain::ids::SubmissionId;

/// At most this many in one call.
const MAX_ITEMS: usize = 100;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceItem {
    #[schema(value_type = String, required = true, example = "sub-zv-2023-06633-1.3")]
    pub id: Option<String>,
    /// The version reviewed (the ETag's number): a submission changed since is not accepted.
    #[schema(minimum = 1, example = 2)]
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"submissions": [{"id": "sub-zv-2023-06633-1.1", "version": 2},
                                          {"id": "sub-zv-2023-06633-1.3", "version": 2}]}))]
pub struct AcceptancesRequest {
    /// Each submission once, at most 100.
    #[schema(required = true, min_items = 1, max_items = 100)]
    pub submissions: Option<Vec<AcceptanceItem>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceOutcome {
    Accepted,
    Refused,
}

/// One submission's result: the accepted submission, or the problem the single review would
/// have answered (404, 409, 412).
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptanceResult {
    #[schema(example = "sub-zv-2023-06633-1.3")]
    pub id: String,
    pub outcome: AcceptanceOutcome,
    pub submission: Option<SubmissionResponse>,
    pub problem: Option<Problem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptancesResponse {
    /// In the order asked.
    pub results: Vec<AcceptanceResult>,
}

/// The items of the request, checked: ids of the right shape, each once, versions from 1.
fn acceptances(body: AcceptancesRequest) -> Result<Vec<Acceptance>, ApiError> {
    let mut v = Violations::default();
    let items = match body.submissions {
        None => {
            v.push("/submissions", "is required");
            Vec::new()
        }
        Some(items) if items.is_empty() => {
            v.push("/submissions", "names no submission");
            items
        }
        Some(items) => items,
    };
    if items.len() > MAX_ITEMS {
        v.push("/submissions", format!("at most {MAX_ITEMS} in one call"));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("/submissions/{i}");
        let id = v
            .required(&format!("{at}/id"), &item.id)
            .and_then(|raw| v.check(&format!("{at}/id"), raw.parse::<SubmissionId>()));
        if item.version.is_some_and(|n| n < 1) {
            v.push(format!("{at}/version"), "must be 1 or more");
        }
        match id {
            Some(id) if !seen.insert(id.clone()) => v.push(format!("{at}/id"), "is listed twice"),
            Some(id) => out.push(Acceptance {
                id,
                expected_version: item.version,
            }),
            None => {}
        }
    }
    v.into_result(|| Some(out)).map_err(ApiError::invalid)
}

/// Accept several submissions
///
/// HMSI only, with scope `write`. Accepts each submitted revision named, as
/// `POST /submissions/{id}/review` with `accept` would, in one transaction: each is accepted or
/// refused on its own terms (a refusal does not hold the others back) and is listed with its
/// result; what is accepted is committed together. Give each `version` you reviewed so nothing
/// changed since is accepted unseen. With an `Idempotency-Key` a retry returns the first answer.
#[utoipa::path(tag = TAG,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = AcceptancesRequest, responses(
    (status = 200, description = "Each submission's result", body = AcceptancesResponse),
    JsonBodyProblems,
    CommonProblems,
), security(("bearer" = [])))]
#[post("/submissions/acceptances")]
pub async fn accept_submissions(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<AcceptancesRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReviewSubmissions)?;
    let items = acceptances(body.into_inner())?;
    let actor = principal.actor();
    let outcome = app::accept_many(&services, actor, visibility, items, key.0).await?;
    let results = outcome
        .value
        .into_iter()
        .map(|(id, accepted)| match accepted {
            Accepted::Done(d) => AcceptanceResult {
                id: id.into(),
                outcome: AcceptanceOutcome::Accepted,
                submission: Some(d.submission.into()),
                problem: None,
            },
            Accepted::Refused(why) => AcceptanceResult {
                id: id.into(),
                outcome: AcceptanceOutcome::Refused,
                submission: None,
                problem: Some(ApiError::App(why.into()).problem()),
            },
        })
        .collect();
    let mut res = HttpResponse::Ok().json(AcceptancesResponse { results });
    if outcome.replayed {
        res.headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(res)
}
