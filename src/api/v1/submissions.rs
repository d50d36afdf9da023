//! `/api/v1/submissions`: the Träger's figures, their revisions, review and receipts.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::headers::{IDEMPOTENT_REPLAYED, IdempotencyKey, IfMatch, etag};
use crate::api::pagination::{self, decode_cursor, next_cursor};
use crate::api::problem::{
    ApiError, BadRequest, ConflictResponse, ForbiddenResponse, NotFound, PayloadTooLargeResponse,
    PreconditionFailedResponse, PreconditionRequiredResponse, Unauthorized, Unprocessable,
    UnsupportedMediaTypeResponse,
};
use crate::app::Clock;
use crate::app::submissions::{self as app, Decision, Delivery};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::indicator::parse_year;
use crate::domain::submission::{Revision, RevisionStatus, Submission, ValueEntry, ValueInput};
use crate::domain::traeger::Ags;
use crate::store::Db;
use crate::store::submissions::SubmissionFilter;

pub const TAG: &str = "submissions";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_submissions)
        .service(find_submission)
        .service(create_submission)
        .service(update_submission)
        .service(submit_submission)
        .service(review_submission)
        .service(correct_submission)
        .service(confirm_receipt)
        .service(list_revisions)
        .service(find_revision);
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevisionStatusDto {
    Draft,
    Submitted,
    Returned,
    Accepted,
    Superseded,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownDto {
    #[schema(example = "Schuldner- und Insolvenzberatung der Diakonie Kassel")]
    pub reporting_body: String,
    /// A count as a number, an amount as a decimal string.
    #[schema(value_type = Object, example = 231)]
    pub value: serde_json::Value,
}

/// One indicator's figure.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"indicator": "debt_counselling_stock", "value": 412,
    "breakdown": [{"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": 231},
                  {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 181}], "note": null}))]
pub struct ValueDto {
    pub indicator: String,
    /// A count as a JSON number, a euro amount as a decimal string (`"1250.50"`), a text as text.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    pub breakdown: Vec<BreakdownDto>,
    pub note: Option<String>,
}

impl From<ValueEntry> for ValueDto {
    fn from(e: ValueEntry) -> Self {
        ValueDto {
            indicator: e.indicator.into(),
            value: e.value.to_json(),
            breakdown: e
                .breakdown
                .into_iter()
                .map(|b| BreakdownDto {
                    reporting_body: b.reporting_body,
                    value: b.value.to_json(),
                })
                .collect(),
            note: e.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDto {
    /// `jobcenter` or `hmsi`.
    pub recipient: String,
    pub confirmed_by: String,
    pub confirmed_at: DateTime<Utc>,
}

/// One revision, with who did what when.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionResponse {
    pub revision: i32,
    pub status: RevisionStatusDto,
    pub values: Vec<ValueDto>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted after the due date.
    pub late: bool,
    pub days_late: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
    pub receipts: Vec<ReceiptDto>,
}

fn status_dto(s: RevisionStatus) -> RevisionStatusDto {
    match s {
        RevisionStatus::Draft => RevisionStatusDto::Draft,
        RevisionStatus::Submitted => RevisionStatusDto::Submitted,
        RevisionStatus::Returned => RevisionStatusDto::Returned,
        RevisionStatus::Accepted => RevisionStatusDto::Accepted,
        RevisionStatus::Superseded => RevisionStatusDto::Superseded,
    }
}

impl From<Revision> for RevisionResponse {
    fn from(r: Revision) -> Self {
        RevisionResponse {
            revision: r.number,
            status: status_dto(r.status),
            values: r.values.into_iter().map(ValueDto::from).collect(),
            created_by: r.created_by,
            created_at: r.created_at.and_utc(),
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at.map(|t| t.and_utc()),
            late: r.days_late.is_some(),
            days_late: r.days_late,
            reviewed_by: r.reviewed_by,
            reviewed_at: r.reviewed_at.map(|t| t.and_utc()),
            return_reason: r.return_reason,
            receipts: r
                .receipts
                .into_iter()
                .map(|c| ReceiptDto {
                    recipient: c.recipient.as_str().to_owned(),
                    confirmed_by: c.confirmed_by,
                    confirmed_at: c.confirmed_at.and_utc(),
                })
                .collect(),
        }
    }
}

/// A delivery of figures for one obligation: its newest revision, and which revision is valid.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionResponse {
    #[schema(example = "sub-zv-2023-06633-1.3")]
    pub id: String,
    #[schema(example = "zv-2023-06633-1.3")]
    pub obligation_id: String,
    pub agreement_id: String,
    pub traeger: String,
    pub year: i32,
    #[schema(example = "§ 2 (3)")]
    pub section: String,
    pub due: Option<NaiveDate>,
    /// The status of the newest revision.
    pub status: RevisionStatusDto,
    pub current_revision: i32,
    /// The valid revision: the last one HMSI accepted.
    pub accepted_revision: Option<i32>,
    /// The newest revision.
    pub revision: RevisionResponse,
    /// Recipients (from the obligation) that have confirmed receipt of the newest delivered
    /// revision, and those still pending.
    pub receipts_confirmed: Vec<String>,
    pub receipts_pending: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Submission> for SubmissionResponse {
    fn from(s: Submission) -> Self {
        let delivered = s.delivered();
        let confirmed: Vec<String> = delivered
            .map(|r| {
                r.receipts
                    .iter()
                    .map(|c| c.recipient.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let pending = match delivered {
            Some(_) => s
                .recipients
                .iter()
                .map(|r| r.as_str().to_owned())
                .filter(|r| !confirmed.contains(r))
                .collect(),
            None => Vec::new(),
        };
        SubmissionResponse {
            status: status_dto(s.current().status),
            current_revision: s.current().number,
            accepted_revision: s.accepted().map(|r| r.number),
            receipts_confirmed: confirmed,
            receipts_pending: pending,
            id: s.id,
            obligation_id: s.obligation_id,
            agreement_id: s.agreement_id,
            traeger: s.traeger.into(),
            year: s.year,
            section: s.section,
            due: s.due,
            version: s.version,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
            revision: s
                .revisions
                .into_iter()
                .last()
                .map(RevisionResponse::from)
                .expect("a revision"),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningDto {
    #[schema(example = "/values/0/value")]
    pub pointer: String,
    #[schema(example = "+62% against last year's accepted figure 254")]
    pub message: String,
}

/// The outcome of a write: the submission as it is now (or would be, on a dry run), with
/// warnings that do not block.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub submission: SubmissionResponse,
    pub warnings: Vec<WarningDto>,
    /// True when nothing was changed.
    pub dry_run: bool,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        DeliveryResponse {
            submission: d.submission.into(),
            warnings: d
                .warnings
                .into_iter()
                .map(|w| WarningDto {
                    pointer: w.pointer,
                    message: w.message,
                })
                .collect(),
            dry_run: d.dry_run,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionPage {
    pub items: Vec<SubmissionResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub submission_id: String,
    pub items: Vec<RevisionResponse>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakdownRequest {
    #[schema(value_type = String, required = true)]
    pub reporting_body: Option<String>,
    #[schema(value_type = Object, required = true)]
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueRequest {
    #[schema(value_type = String, required = true, example = "debt_counselling_stock")]
    pub indicator: Option<String>,
    /// `count`: a whole number ≥ 0; `eur`: ≥ 0 with at most two decimals, as a number or a
    /// decimal string; `text`: a non-empty text.
    #[schema(value_type = Object, required = true, example = 412)]
    pub value: Option<serde_json::Value>,
    /// By reporting body, for indicators broken down so; must add up to `value`.
    pub breakdown: Option<Vec<BreakdownRequest>>,
    pub note: Option<String>,
}

fn inputs(values: Vec<ValueRequest>) -> Vec<ValueInput> {
    values
        .into_iter()
        .map(|v| ValueInput {
            indicator: v.indicator,
            value: v.value,
            breakdown: v
                .breakdown
                .map(|b| b.into_iter().map(|i| (i.reporting_body, i.value)).collect()),
            note: v.note,
        })
        .collect()
}

/// A draft of figures for one obligation of the caller's Träger.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "obligation_id": "zv-2023-06633-1.3",
    "values": [
        {"indicator": "debt_counselling_stock", "value": 412, "breakdown": [
            {"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": 231},
            {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 181}]},
        {"indicator": "debt_counselling_stock_sgb2", "value": 187, "breakdown": [
            {"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": 102},
            {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 85}]},
        {"indicator": "debt_counselling_inflow", "value": 268},
        {"indicator": "debt_counselling_inflow_sgb2", "value": 121}
    ]
}))]
pub struct CreateSubmissionRequest {
    #[schema(value_type = String, required = true)]
    pub obligation_id: Option<String>,
    #[schema(required = true)]
    pub values: Option<Vec<ValueRequest>>,
}

/// The new values of the draft (or, after a return, of a new draft revision).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"values": [{"indicator": "debt_counselling_stock", "value": 412}]}))]
pub struct UpdateSubmissionRequest {
    #[schema(required = true)]
    pub values: Option<Vec<ValueRequest>>,
}

/// HMSI's review: `accept`, or `return` with a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "return", "reason": "Zugänge aus SGB II-Bedarfsgemeinschaften fehlen für eine Beratungsstelle."}))]
pub struct ReviewRequest {
    #[schema(value_type = String, required = true, example = "accept")]
    pub decision: Option<String>,
    /// Required when returning.
    pub reason: Option<String>,
}

/// Which revision was received; the newest delivered one when absent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"revision": 2}))]
pub struct ReceiptRequest {
    pub revision: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DryRun {
    /// Validate and answer what would happen; change nothing, write no ledger event.
    #[param(default = false)]
    pub dry_run: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubmissionQuery {
    pub year: Option<i64>,
    /// AGS of the Träger.
    pub traeger: Option<String>,
    /// Status of the newest revision.
    pub status: Option<RevisionStatusDto>,
    /// e.g. `§ 2 (3)`
    pub section: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

fn respond(status: StatusCode, d: Delivery) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(d.submission.version)))
        .json(DeliveryResponse::from(d))
}

fn values_of(values: Option<Vec<ValueRequest>>) -> Result<Vec<ValueInput>, Violation> {
    values
        .map(inputs)
        .ok_or_else(|| Violation::new("/values", "is required"))
}

/// List submissions
///
/// HMSI sees all; a Träger or Jobcenter token only its own Träger's.
#[utoipa::path(tag = TAG, params(SubmissionQuery), responses(
    (status = 200, description = "One page of submissions", body = SubmissionPage),
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
), security(("bearer" = [])))]
#[get("/submissions")]
pub async fn list_submissions(
    principal: Principal,
    query: web::Query<SubmissionQuery>,
    db: web::Data<Db>,
) -> Result<web::Json<SubmissionPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let q = query.into_inner();
    let filter = SubmissionFilter {
        year: q
            .year
            .map(parse_year)
            .transpose()
            .map_err(|e| ApiError::BadRequest(format!("`year`: {e}")))?,
        traeger: q
            .traeger
            .as_deref()
            .map(Ags::parse)
            .transpose()
            .map_err(|e| ApiError::BadRequest(format!("`traeger`: {e}")))?,
        status: q.status.map(|s| match s {
            RevisionStatusDto::Draft => RevisionStatus::Draft,
            RevisionStatusDto::Submitted => RevisionStatus::Submitted,
            RevisionStatusDto::Returned => RevisionStatus::Returned,
            RevisionStatusDto::Accepted => RevisionStatus::Accepted,
            RevisionStatusDto::Superseded => RevisionStatus::Superseded,
        }),
        section: q.section,
        ..SubmissionFilter::default()
    };
    let after = q.after.as_deref().map(decode_cursor).transpose()?;
    let (items, more) =
        app::list(&db, visibility, filter, after, pagination::limit(q.limit)?).await?;
    let next = next_cursor(&items, more, |s| s.id.clone());
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
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/submissions/{id}")]
pub async fn find_submission(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let s = app::find(&db, visibility, id.into_inner()).await?;
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
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 409, response = ConflictResponse),
    (status = 413, response = PayloadTooLargeResponse),
    (status = 415, response = UnsupportedMediaTypeResponse),
    (status = 422, response = Unprocessable),
), security(("bearer" = [])))]
#[post("/submissions")]
pub async fn create_submission(
    principal: Principal,
    key: IdempotencyKey,
    query: web::Query<DryRun>,
    body: web::Json<CreateSubmissionRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::DeliverFigures)?;
    let b = body.into_inner();
    let obligation = b
        .obligation_id
        .ok_or_else(|| Violation::new("/obligation_id", "is required"));
    let (obligation, values) = match (obligation, values_of(b.values)) {
        (Ok(o), Ok(v)) => (o, v),
        (o, v) => {
            return Err(ApiError::invalid(
                o.err().into_iter().chain(v.err()).collect(),
            ));
        }
    };
    let dry_run = query.dry_run.unwrap_or(false);
    let outcome = app::create(&db, principal.actor(), obligation, values, dry_run, key.0).await?;
    if dry_run {
        return Ok(respond(StatusCode::OK, outcome.value));
    }
    let location = format!("/api/v1/submissions/{}", outcome.value.submission.id);
    let mut res = respond(StatusCode::CREATED, outcome.value);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if outcome.replayed {
        res.headers_mut().insert(
            IDEMPOTENT_REPLAYED,
            header::HeaderValue::from_static("true"),
        );
    }
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
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    (status = 412, response = PreconditionFailedResponse),
    (status = 413, response = PayloadTooLargeResponse),
    (status = 415, response = UnsupportedMediaTypeResponse),
    (status = 422, response = Unprocessable),
    (status = 428, response = PreconditionRequiredResponse),
), security(("bearer" = [])))]
#[put("/submissions/{id}")]
pub async fn update_submission(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    query: web::Query<DryRun>,
    body: web::Json<UpdateSubmissionRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let values = values_of(body.into_inner().values).map_err(|v| ApiError::invalid(vec![v]))?;
    let d = app::update(
        &db,
        principal.actor(),
        visibility,
        id.into_inner(),
        if_match.0,
        values,
        query.dry_run.unwrap_or(false),
    )
    .await?;
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
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
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
    db: web::Data<Db>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let expected = match req.headers().contains_key(header::IF_MATCH) {
        true => crate::api::headers::if_match(&req)?.0,
        false => None,
    };
    let d = app::submit(
        &db,
        principal.actor(),
        visibility,
        id.into_inner(),
        expected,
        query.dry_run.unwrap_or(false),
        **clock,
    )
    .await?;
    Ok(respond(StatusCode::OK, d))
}

/// Review a submitted revision
///
/// HMSI only, with scope `write`: `accept` makes the revision the valid one; `return` sends it
/// back with a reason, to be corrected and submitted again.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")),
    request_body = ReviewRequest, responses(
    (status = 200, description = "Reviewed", body = DeliveryResponse),
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    (status = 413, response = PayloadTooLargeResponse),
    (status = 415, response = UnsupportedMediaTypeResponse),
    (status = 422, response = Unprocessable),
), security(("bearer" = [])))]
#[post("/submissions/{id}/review")]
pub async fn review_submission(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<ReviewRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::ReviewSubmissions)?;
    let b = body.into_inner();
    let reason = b
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let decision = match (b.decision.as_deref(), reason) {
        (Some("accept"), _) => Decision::Accept,
        (Some("return"), Some(reason)) if reason.chars().count() <= 2000 => {
            Decision::Return(reason)
        }
        (Some("return"), Some(_)) => {
            return Err(ApiError::invalid(vec![Violation::new(
                "/reason",
                "must be at most 2000 characters",
            )]));
        }
        (Some("return"), None) => {
            return Err(ApiError::invalid(vec![Violation::new(
                "/reason",
                "is required to return a submission",
            )]));
        }
        (Some(other), _) => {
            return Err(ApiError::invalid(vec![Violation::new(
                "/decision",
                format!("`{other}` is not one of: accept, return"),
            )]));
        }
        (None, _) => {
            return Err(ApiError::invalid(vec![Violation::new(
                "/decision",
                "is required",
            )]));
        }
    };
    let d = app::review(&db, principal.actor(), id.into_inner(), decision).await?;
    Ok(respond(StatusCode::OK, d))
}

/// Open a correction
///
/// A Träger token with scope `write`: a new draft revision from the accepted (or returned) one.
/// Until the correction is accepted, the accepted revision stays the valid one.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")), responses(
    (status = 201, description = "The new draft revision", body = DeliveryResponse,
        headers(("Location" = String, description = "URL of the new revision"))),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/submissions/{id}/corrections")]
pub async fn correct_submission(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let d = app::correct(&db, principal.actor(), visibility, id.into_inner()).await?;
    let location = format!(
        "/api/v1/submissions/{}/revisions/{}",
        d.submission.id,
        d.submission.current().number
    );
    let mut res = respond(StatusCode::CREATED, d);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Confirm receipt
///
/// The Jobcenter of the Träger, or HMSI, confirms that it received a delivered revision (the
/// newest one unless named). Each recipient confirms once per revision.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")),
    request_body = ReceiptRequest, responses(
    (status = 201, description = "Confirmed", body = DeliveryResponse),
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    (status = 413, response = PayloadTooLargeResponse),
    (status = 415, response = UnsupportedMediaTypeResponse),
    (status = 422, response = Unprocessable),
), security(("bearer" = [])))]
#[post("/submissions/{id}/receipts")]
pub async fn confirm_receipt(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<ReceiptRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ConfirmReceipt)?;
    let d = app::confirm_receipt(
        &db,
        principal.actor(),
        visibility,
        id.into_inner(),
        body.revision,
    )
    .await?;
    Ok(respond(StatusCode::CREATED, d))
}

/// Every revision of a submission
///
/// Oldest first, with who created, submitted and reviewed each, and the receipts.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3")), responses(
    (status = 200, description = "The revisions", body = RevisionList),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/submissions/{id}/revisions")]
pub async fn list_revisions(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<web::Json<RevisionList>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let s = app::find(&db, visibility, id.into_inner()).await?;
    Ok(web::Json(RevisionList {
        submission_id: s.id,
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
    (status = 400, response = BadRequest),
    (status = 401, response = Unauthorized),
    (status = 403, response = ForbiddenResponse),
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/submissions/{id}/revisions/{n}")]
pub async fn find_revision(
    principal: Principal,
    path: web::Path<(String, i32)>,
    db: web::Data<Db>,
) -> Result<web::Json<RevisionResponse>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubmissions)?;
    let (id, n) = path.into_inner();
    let s = app::find(&db, visibility, id).await?;
    let r = s
        .revisions
        .into_iter()
        .find(|r| r.number == n)
        .ok_or(crate::app::AppError::NotFound)?;
    Ok(web::Json(r.into()))
}
