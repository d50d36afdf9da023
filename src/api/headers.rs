//! Request headers with a meaning of their own: `If-Match` and `Idempotency-Key`.

use std::future::{Ready, ready};

use actix_web::http::header::{self, HeaderName};
use actix_web::{FromRequest, HttpRequest, dev::Payload};

use super::problem::ApiError;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Marks a created object's response: where it lives, and whether it replays an earlier
/// response to the same `Idempotency-Key`.
pub fn mark_created(res: &mut actix_web::HttpResponse, location: &str, replayed: bool) {
    // Locations are built from validated ids, which are always valid header values.
    if let Ok(v) = header::HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if replayed {
        res.headers_mut().insert(
            IDEMPOTENT_REPLAYED,
            header::HeaderValue::from_static("true"),
        );
    }
}

/// One object's response: its JSON, with its version as the ETag.
pub fn versioned(
    status: actix_web::http::StatusCode,
    version: i64,
    body: impl serde::Serialize,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// A page as JSON, to be kept (`app::kept`): its bytes and the strong ETag of them.
pub fn rendered_json(page: &impl serde::Serialize) -> crate::app::kept::Rendered {
    let body = actix_web::web::Bytes::from(serde_json::to_vec(page).expect("a page serialises"));
    crate::app::kept::Rendered {
        etag: super::edge::body_etag(&body),
        body,
    }
}

/// The answer of a kept page: its body, with the ETag it was kept with.
pub fn kept_json(page: &crate::app::kept::Rendered) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .insert_header(header::ContentType::json())
        .insert_header((header::ETAG, page.etag.as_str()))
        .body(page.body.clone())
}

/// The strong ETag of a version of an object.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `If-Match`, required on updates: the version the client read, or `*` for any.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

/// Reads `If-Match`; answers 428 when it is missing.
pub fn if_match(req: &HttpRequest) -> Result<IfMatch, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired(
            "send the ETag you read as If-Match, so that no concurrent change is overwritten"
                .into(),
        ));
    };
    let value = value.to_str().unwrap_or("").trim();
    if value == "*" {
        return Ok(IfMatch(None));
    }
    // If-Match compares strongly (RFC 9110 § 13.1.1): a weak or malformed tag matches nothing,
    // so it is answered like a stale one.
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(|v| IfMatch(Some(v)))
        .ok_or(ApiError::App(crate::app::AppError::PreconditionFailed))
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if_match(req))
    }
}

/// `Idempotency-Key`, optional on creates.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

fn parse_idempotency_key(req: &HttpRequest) -> Result<IdempotencyKey, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(IdempotencyKey(None));
    };
    value
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY_LEN
                && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .map(|k| IdempotencyKey(Some(k.to_owned())))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters, e.g. a UUID"
            ))
        })
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_idempotency_key(req))
    }
}
