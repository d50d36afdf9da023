//! The one place where errors become HTTP: `application/problem+json` (RFC 9457).
//!
//! Every refusal names its `type` (a stable URN a client can switch on), a human `title` and
//! `detail`, the `status`, and the request id as `instance`. Validation failures list every
//! violation at once in `errors`. Internals (SQL, stack traces) are logged, never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::collections::BTreeMap;

use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::{IntoResponses, ToResponse, ToSchema};

use crate::app::AppError;
use crate::auth::policy::Forbidden;
use crate::auth::principal::Unauthenticated;
use crate::domain::Violation;
use crate::telemetry::current_request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One violation: where in the request body, and what is wrong there.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"pointer": "/jobcenter/form", "message": "`gemeinsam` is not one of: zkt, ge"}))]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request body; empty for the body as a whole.
    pub pointer: String,
    pub message: String,
}

/// An error, as RFC 9457 describes it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:zv-monitor:problem:not-found",
    "title": "Not found",
    "status": 404,
    "detail": "There is no Träger 06699 that you may see.",
    "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"
}))]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request id (also in the `X-Request-Id` response header).
    pub instance: String,
    /// Every violation, for `validation` problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Unauthenticated(#[from] Unauthenticated),
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    RouteNotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed(Vec<String>),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("not ready: {0}")]
    NotReady(String),
}

impl ApiError {
    pub fn invalid(violations: Vec<Violation>) -> Self {
        ApiError::App(AppError::Invalid(violations))
    }

    /// (status, type slug, title)
    fn kind(&self) -> (StatusCode, &'static str, &'static str) {
        use AppError as A;
        match self {
            ApiError::App(A::NotFound) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::App(A::Conflict(_)) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::App(A::PreconditionFailed) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
            ),
            ApiError::App(A::Invalid(_)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Invalid request",
            ),
            ApiError::App(A::IdempotencyKeyReused) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
            ),
            ApiError::App(A::Unavailable(_)) | ApiError::NotReady(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            ApiError::App(A::Database(_)) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
            ApiError::Unauthenticated(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Unauthenticated",
            ),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            ApiError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
            ),
            ApiError::RouteNotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            ApiError::PreconditionRequired(_) => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "Precondition required",
            ),
        }
    }

    fn detail(&self) -> String {
        use AppError as A;
        match self {
            ApiError::App(A::NotFound) => "There is no such object that you may see.".into(),
            ApiError::App(A::Conflict(m)) => m.clone(),
            ApiError::App(A::PreconditionFailed) => {
                "The object has changed since you read it: fetch it again and retry with its new ETag in If-Match.".into()
            }
            ApiError::App(A::Invalid(v)) => format!(
                "The request has {} invalid field{}; see `errors`.",
                v.len(),
                if v.len() == 1 { "" } else { "s" }
            ),
            ApiError::App(A::IdempotencyKeyReused) => {
                "This Idempotency-Key was used before with a different request; use a new key for a new request.".into()
            }
            ApiError::App(A::Unavailable(_)) => {
                "The database is not reachable right now; retry later.".into()
            }
            ApiError::App(A::Database(_)) => {
                "The request failed inside the service; the request id is in the log.".into()
            }
            ApiError::MethodNotAllowed(allowed) => {
                format!("This path supports: {}.", allowed.join(", "))
            }
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.kind();
        let errors = match self {
            ApiError::App(AppError::Invalid(v)) => Some(
                v.iter()
                    .map(|v| FieldError {
                        pointer: v.pointer.clone(),
                        message: v.message.clone(),
                    })
                    .collect(),
            ),
            _ => None,
        };
        Problem {
            problem_type: format!("urn:zv-monitor:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            instance: current_request_id(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().0
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthenticated(_) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="zv-monitor", error="invalid_token""#,
                ));
            }
            ApiError::MethodNotAllowed(allowed) => {
                if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                    res.insert_header((header::ALLOW, v));
                }
            }
            ApiError::App(AppError::Unavailable(_)) | ApiError::NotReady(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl ResponseError for Unauthenticated {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
    fn error_response(&self) -> HttpResponse {
        ApiError::Unauthenticated(Unauthenticated(self.0.clone())).error_response()
    }
}

// Reusable responses for the contract; each example is what the service really sends.

/// The token is missing, malformed, expired, wrongly signed, or names no valid role or Träger.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:unauthenticated", "title": "Unauthenticated", "status": 401,
        "detail": "the token has expired", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"}),
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"zv-monitor\", error=\"invalid_token\"`"))
)]
pub struct Unauthorized(#[allow(dead_code)] Problem);

/// The role or the scope of the token does not allow this.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:forbidden", "title": "Forbidden", "status": 403,
        "detail": "the role `traeger` may not do this; allowed: hmsi", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct ForbiddenResponse(#[allow(dead_code)] Problem);

/// No such object, or it belongs to another Träger (which is not revealed).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:not-found", "title": "Not found", "status": 404,
        "detail": "There is no such object that you may see.", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct NotFound(#[allow(dead_code)] Problem);

/// A query or path parameter, a header or the JSON body is malformed.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:bad-request", "title": "Bad request", "status": 400,
        "detail": "The request body is not valid JSON: expected `,` or `}` at line 1 column 18", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct BadRequest(#[allow(dead_code)] Problem);

/// The body is well-formed but violates the rules; every violation is listed.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:validation", "title": "Invalid request", "status": 422,
        "detail": "The request has 2 invalid fields; see `errors`.", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11",
        "errors": [{"pointer": "/ags", "message": "`6633` is not an AGS: five digits expected, e.g. 06633"},
                   {"pointer": "/jobcenter/form", "message": "`gemeinsam` is not one of: zkt, ge"}]})
)]
pub struct Unprocessable(#[allow(dead_code)] Problem);

/// The object exists already, or the change contradicts the current state.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:conflict", "title": "Conflict", "status": 409,
        "detail": "Träger 06633 exists already", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct ConflictResponse(#[allow(dead_code)] Problem);

/// `If-Match` does not name the current ETag: someone changed the object meanwhile.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:precondition-failed", "title": "Precondition failed", "status": 412,
        "detail": "The object has changed since you read it: fetch it again and retry with its new ETag in If-Match.",
        "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct PreconditionFailedResponse(#[allow(dead_code)] Problem);

/// `If-Match` is required for this update.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:precondition-required", "title": "Precondition required", "status": 428,
        "detail": "send the ETag you read as If-Match, so that no concurrent change is overwritten",
        "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct PreconditionRequiredResponse(#[allow(dead_code)] Problem);

/// The body is larger than the service accepts (`ZV_MAX_BODY_BYTES`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:payload-too-large", "title": "Payload too large", "status": 413,
        "detail": "The request body is larger than 1048576 bytes.", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct PayloadTooLargeResponse(#[allow(dead_code)] Problem);

/// The body is not `application/json`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:unsupported-media-type", "title": "Unsupported media type", "status": 415,
        "detail": "The request body must be application/json.", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"})
)]
pub struct UnsupportedMediaTypeResponse(#[allow(dead_code)] Problem);

/// The database cannot be reached; retry after the `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:unavailable", "title": "Service unavailable", "status": 503,
        "detail": "The database is not reachable right now; retry later.", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"}),
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
)]
pub struct Unavailable(#[allow(dead_code)] Problem);

// Families of the problems above that whole groups of operations share, so that an
// operation's `responses(...)` names its own answers and one family per concern.

/// A reference to a reusable response by its component name.
fn by_name(status: u16, (name, _): (&str, RefOr<Response>)) -> (String, RefOr<Response>) {
    (
        status.to_string(),
        RefOr::Ref(Ref::from_response_name(name)),
    )
}

/// 401, 403 and 503: every operation behind a token, all of which need the database.
pub struct CommonProblems;

impl IntoResponses for CommonProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            by_name(401, Unauthorized::response()),
            by_name(403, ForbiddenResponse::response()),
            by_name(503, Unavailable::response()),
        ])
    }
}

/// 400, 413, 415 and 422: every operation that reads a JSON body.
pub struct JsonBodyProblems;

impl IntoResponses for JsonBodyProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            by_name(400, BadRequest::response()),
            by_name(413, PayloadTooLargeResponse::response()),
            by_name(415, UnsupportedMediaTypeResponse::response()),
            by_name(422, Unprocessable::response()),
        ])
    }
}

/// 412 and 428: every update that requires `If-Match`.
pub struct IfMatchProblems;

impl IntoResponses for IfMatchProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            by_name(412, PreconditionFailedResponse::response()),
            by_name(428, PreconditionRequiredResponse::response()),
        ])
    }
}
