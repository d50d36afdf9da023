//! `/api/v1/submissions`: the Träger's figures, their revisions, review and receipts.

mod acceptances;
mod discard;
mod dto;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};

use crate::api::headers::{IdempotencyKey, IfMatch, etag, mark_created, versioned};
use crate::api::pagination::{self, next_cursor};
use crate::api::params;
use crate::api::problem::{
    ApiError, CommonProblems, ConflictResponse, IfMatchProblems, JsonBodyProblems, NotFound,
    PreconditionFailedResponse, Unprocessable,
};
use crate::app::submissions::{self as app, Delivery, Step};
use crate::app::{Mode, Services};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::ids::SubmissionId;
use crate::domain::submission::{DraftInput, SubmissionFilter};

pub use dto::*;

pub const TAG: &str = "submissions";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_submissions)
        .service(acceptances::accept_submissions)
        .service(find_submission)
        .service(create_submission)
        .service(update_submission)
        .service(discard::discard_submission)
        .service(submit_submission)
        .service(review_submission)
        .service(correct_submission)
        .service(confirm_receipt)
        .service(list_revisions)
        .service(find_revision);
}

fn respond(status: StatusCode, d: Delivery) -> HttpResponse {
    versioned(status, d.submission.version, DeliveryResponse::from(d))
}

/// A draft as sent: no `values` is none yet (a draft may be incomplete, and a duty without
/// figures has none).
fn draft_of(values: Option<Vec<ValueRequest>>, confirmation: Option<String>) -> DraftInput {
    DraftInput {
        values: values.map(inputs).unwrap_or_default(),
        confirmation,
    }
}

/// List submissions
///
/// HMSI sees all; a Träger or Jobcenter token only its own Träger's.
#[utoipa::path(tag = TAG, params(SubmissionQuery), responses(
    (status = 200, description = "One page of submissions", body = SubmissionPage),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/submissions")]
pub async fn list_submissions(
    principal: Principal,
    query: web::Query<SubmissionQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<SubmissionPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let q = query.into_inner();
    let filter = SubmissionFilter {
        year: params::year(q.year)?,
        traeger: params::traeger(q.traeger.as_deref())?,
        status: q.status,
        section: q.section,
    };
    let after = pagination::after::<SubmissionId>(q.after.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let (items, more) = app::list(&services, visibility, filter, after, limit).await?;
    let next = next_cursor(&items, more, |s| s.id.to_string());
    Ok(web::Json(SubmissionPage {
        items: items.into_iter().map(SubmissionResponse::from).collect(),
        next,
    }))
}

/// Read one submission
///
/// Another Träger's submission is answered with 404 for Träger and Jobcenter tokens.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")), responses(
    (status = 200, description = "The submission", body = SubmissionResponse,
        headers(("ETag" = String, description = "Send as If-Match to change it"))),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/submissions/{id}")]
pub async fn find_submission(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let s = app::find(&services, visibility, params::id(&id)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(s.version)))
        .json(SubmissionResponse::from(s)))
}

/// Draft figures for an obligation
///
/// A Träger token with scope `write`, for an obligation of its own agreement in force that the
/// Träger delivers. One submission per obligation. Formats are checked now; completeness when
/// submitting. Warnings compare with last year's accepted figures and never block.
#[utoipa::path(tag = TAG, params(DryRun,
    ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateSubmissionRequest, responses(
    (status = 201, description = "The draft", body = DeliveryResponse, headers(
        ("Location" = String, description = "URL of the submission"),
        ("ETag" = String, description = "Version of the submission"))),
    (status = 200, description = "Dry run: what would be created", body = DeliveryResponse),
    JsonBodyProblems,
    CommonProblems,
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/submissions")]
pub async fn create_submission(
    principal: Principal,
    key: IdempotencyKey,
    query: web::Query<DryRun>,
    body: web::Json<CreateSubmissionRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let b = body.into_inner();
    let obligation = b
        .obligation_id
        .ok_or_else(|| ApiError::invalid(vec![Violation::new("/obligation_id", "is required")]))?;
    let draft = draft_of(b.values, b.confirmation);
    let mode = query.mode();
    let actor = principal.actor();
    let outcome = app::create(&services, actor, visibility, obligation, draft, mode, key.0).await?;
    if mode == Mode::DryRun {
        return Ok(respond(StatusCode::OK, outcome.value));
    }
    let location = format!("/api/v1/submissions/{}", outcome.value.submission.id);
    let mut res = respond(StatusCode::CREATED, outcome.value);
    mark_created(&mut res, &location, outcome.replayed);
    Ok(res)
}

/// Replace the draft's values
///
/// `If-Match` required. Edits the draft revision; after a return, the returned revision stays as
/// it was and the values become a new draft revision. A submitted or accepted revision never
/// changes: 409.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3"),
    ("If-Match" = String, Header, description = "The ETag you read"), DryRun),
    request_body = UpdateSubmissionRequest, responses(
    (status = 200, description = "Changed (or, on a dry run, would be)", body = DeliveryResponse,
        headers(("ETag" = String, description = "The new version"))),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    IfMatchProblems,
), security(("bearer" = [])))]
#[put("/submissions/{id}")]
pub async fn update_submission(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    query: web::Query<DryRun>,
    body: web::Json<UpdateSubmissionRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let b = body.into_inner();
    let draft = draft_of(b.values, b.confirmation);
    let step = Step {
        actor: principal.actor(),
        visibility,
        id: params::id(&id)?,
        expected_version: if_match.0,
        mode: query.mode(),
    };
    let d = app::update(&services, step, draft).await?;
    Ok(respond(StatusCode::OK, d))
}

/// Submit the draft
///
/// Validates completely (every indicator once, "davon" ≤ total, breakdowns add up) and
/// submits. After the due date it is accepted all the same and marked late with the days.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3"),
    ("If-Match" = Option<String>, Header, description = "Optional: the ETag you read"), DryRun),
    responses(
    (status = 200, description = "Submitted (or, on a dry run, would be)", body = DeliveryResponse),
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    (status = 412, response = PreconditionFailedResponse),
    (status = 422, response = Unprocessable),
), security(("bearer" = [])))]
#[post("/submissions/{id}/submit")]
pub async fn submit_submission(
    principal: Principal,
    id: web::Path<String>,
    req: actix_web::HttpRequest,
    query: web::Query<DryRun>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let expected = match req.headers().contains_key(header::IF_MATCH) {
        true => crate::api::headers::if_match(&req)?.0,
        false => None,
    };
    let step = Step {
        actor: principal.actor(),
        visibility,
        id: params::id(&id)?,
        expected_version: expected,
        mode: query.mode(),
    };
    let d = app::submit(&services, step).await?;
    Ok(respond(StatusCode::OK, d))
}

/// Review a submitted revision
///
/// HMSI only, with scope `write`: `accept` makes the revision the valid one; `return` sends it
/// back with a reason, to be corrected and submitted again.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")),
    request_body = ReviewRequest, responses(
    (status = 200, description = "Reviewed", body = DeliveryResponse),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/submissions/{id}/review")]
pub async fn review_submission(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<ReviewRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReviewSubmissions)?;
    let decision = body.into_inner().decision()?;
    let step = Step::write(principal.actor(), visibility, params::id(&id)?);
    let d = app::review(&services, step, decision).await?;
    Ok(respond(StatusCode::OK, d))
}

/// Open a correction
///
/// A Träger token with scope `write`: a new draft revision from the accepted (or returned) one.
/// Until the correction is accepted, the accepted revision stays the valid one.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")), responses(
    (status = 201, description = "The new draft revision", body = DeliveryResponse,
        headers(("Location" = String, description = "URL of the new revision"))),
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/submissions/{id}/corrections")]
pub async fn correct_submission(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let step = Step::write(principal.actor(), visibility, params::id(&id)?);
    let d = app::correct(&services, step).await?;
    let location = format!(
        "/api/v1/submissions/{}/revisions/{}",
        d.submission.id,
        d.submission.current().number
    );
    let mut res = respond(StatusCode::CREATED, d);
    mark_created(&mut res, &location, false);
    Ok(res)
}

/// Confirm receipt
///
/// The Jobcenter of the Träger, or HMSI, confirms that it received a delivered revision (the
/// newest one unless named). Each recipient confirms once per revision.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")),
    request_body = ReceiptRequest, responses(
    (status = 201, description = "Confirmed", body = DeliveryResponse),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/submissions/{id}/receipts")]
pub async fn confirm_receipt(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<ReceiptRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ConfirmReceipt)?;
    let step = Step::write(principal.actor(), visibility, params::id(&id)?);
    let d = app::confirm_receipt(&services, step, body.revision).await?;
    Ok(respond(StatusCode::CREATED, d))
}

/// Every revision of a submission
///
/// Oldest first, with who created, submitted and reviewed each, and the receipts.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")), responses(
    (status = 200, description = "The revisions", body = RevisionList),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/submissions/{id}/revisions")]
pub async fn list_revisions(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<web::Json<RevisionList>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let s = app::find(&services, visibility, params::id(&id)?).await?;
    Ok(web::Json(RevisionList {
        submission_id: s.id.into(),
        items: s
            .revisions
            .into_iter()
            .map(RevisionResponse::from)
            .collect(),
    }))
}

/// One revision of a submission
///
/// Every revision stays readable, as it was submitted, returned, accepted or superseded.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3"),
    ("n" = i32, Path, description = "Revision number, from 1", example = 1)), responses(
    (status = 200, description = "The revision", body = RevisionResponse),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/submissions/{id}/revisions/{n}")]
pub async fn find_revision(
    principal: Principal,
    path: web::Path<(String, i32)>,
    services: web::Data<Services>,
) -> Result<web::Json<RevisionResponse>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let (id, n) = path.into_inner();
    let s = app::find(&services, visibility, params::id::<SubmissionId>(&id)?).await?;
    let r = s
        .revisions
        .into_iter()
        .find(|r| r.number == n)
        .ok_or(crate::app::AppError::NotFound)?;
    Ok(web::Json(r.into()))
}
