//! The one place where errors become HTTP: `application/problem+json` (RFC 9457).
//!
//! Every refusal names its `type` (a stable URN a client can switch on), a human `title` and
//! `detail`, the `status`, and the request id as `instance`. Validation failures list every
//! violation at once in `errors`. Internals (SQL, stack traces) are logged, never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use utoipa::ToSchema;

mod catalogue;
pub mod german;

pub use catalogue::{
    BadRequest, CommonProblems, ConflictResponse, ForbiddenResponse, IfMatchProblems,
    JsonBodyProblems, NotFound, PayloadTooLargeResponse, PreconditionFailedResponse,
    PreconditionRequiredResponse, TooManyRequestsResponse, Unauthorized, Unavailable,
    Unprocessable, UnsupportedMediaTypeResponse,
};

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
    /// A limit of the caller's (`api::limits`) is reached: retry after `wait`.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        wait: std::time::Duration,
    },
    /// An error response made elsewhere (a file Swagger UI does not have, say), as a problem.
    #[error("{0}")]
    Status(StatusCode),
}

impl ApiError {
    pub fn invalid(violations: Vec<Violation>) -> Self {
        ApiError::App(AppError::Invalid(violations))
    }

    /// (status, type slug, title)
    // long: the catalogue of problems, one arm per kind, kept whole to read as the table it is
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
            ApiError::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
            ),
            ApiError::Status(status) => status_kind(*status),
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
            ApiError::Status(StatusCode::NOT_FOUND) => "There is nothing at this path.".into(),
            ApiError::Status(status) if status.is_server_error() => {
                "The request failed inside the service; the request id is in the log.".into()
            }
            ApiError::Status(status) => format!(
                "The request was refused: {}.",
                status.canonical_reason().unwrap_or("an error")
            ),
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

/// The kind of an error response made elsewhere, by its status.
fn status_kind(status: StatusCode) -> (StatusCode, &'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => (status, "not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => (status, "method-not-allowed", "Method not allowed"),
        s if s.is_server_error() => (s, "internal", "Internal error"),
        s => (s, "bad-request", s.canonical_reason().unwrap_or("Error")),
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
            ApiError::TooManyRequests { wait, .. } => {
                // Whole seconds (RFC 9110 § 10.2.3), rounded up: a client that waits exactly
                // this long is let in.
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                res.insert_header((header::RETRY_AFTER, seconds.max(1).to_string()));
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
