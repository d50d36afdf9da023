//! The problems as the contract lists them: one reusable response per kind, each with the
//! example the service really sends, and the families whole groups of operations share.

use std::collections::BTreeMap;

use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::{IntoResponses, ToResponse};

use super::Problem;

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

/// A limit of the caller's is reached: requests per token or per address, or exports running
/// at once; retry after the `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "urn:zv-monitor:problem:too-many-requests", "title": "Too many requests", "status": 429,
        "detail": "More than 6000 requests per minute with this token.", "instance": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11"}),
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
)]
pub struct TooManyRequestsResponse(#[allow(dead_code)] Problem);

// Families of the problems above that whole groups of operations share, so that an
// operation's `responses(...)` names its own answers and one family per concern.

/// A reference to a reusable response by its component name.
fn by_name(status: u16, (name, _): (&str, RefOr<Response>)) -> (String, RefOr<Response>) {
    (
        status.to_string(),
        RefOr::Ref(Ref::from_response_name(name)),
    )
}

/// 400, 401, 403, 429 and 503: every operation behind a token (any of which may be sent a
/// malformed query, and all of which count against the caller's limits), all of which need
/// the database.
pub struct CommonProblems;

impl IntoResponses for CommonProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            by_name(400, BadRequest::response()),
            by_name(401, Unauthorized::response()),
            by_name(403, ForbiddenResponse::response()),
            by_name(429, TooManyRequestsResponse::response()),
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
