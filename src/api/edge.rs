//! What every response passes on its way out, and every request on its way in, whatever
//! path it takes: input no handler should see is refused, errors are problems, headers are
//! those of a careful API, and a GET whose answer the client holds already costs a 304.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use super::problem::{ApiError, PROBLEM_JSON, german};

/// Longer than any query this service needs; a longer one is refused unread.
const MAX_QUERY_BYTES: usize = 2048;

/// For the Swagger UI pages: their own scripts, styles and images only (they inline styles
/// and use data: images), and the spec from this origin; nothing is fetched from elsewhere,
/// so they work offline.
const SWAGGER_UI_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// For everything else: nothing a browser should load or run, and no framing.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The path as the router matches it: percent-decoded (but for `%`, `/` and `+`), so that
/// `/%61pi/v1/…`, which reaches the API's handlers, is classified as the API too.
pub fn routed_path(req: &ServiceRequest) -> &str {
    req.match_info().as_str()
}

/// Refuses, before any handler of the API reads it, a query with a NUL character (which no
/// database stores alike and no parameter needs) or longer than any parameter needs.
pub async fn guard_query(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let query = req.query_string();
    let refusal = if !routed_path(&req).starts_with("/api/") {
        None
    } else if query.len() > MAX_QUERY_BYTES {
        Some(format!("The query is longer than {MAX_QUERY_BYTES} bytes."))
    } else if query.to_ascii_lowercase().contains("%00") {
        Some("A query parameter holds the NUL character (%00).".to_owned())
    } else {
        None
    };
    match refusal {
        Some(detail) => {
            let res = ApiError::BadRequest(detail).error_response();
            Ok(req.into_response(res))
        }
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Makes every error a problem (RFC 9457): what a handler or extractor refuses is one
/// already; an error from elsewhere (a page of Swagger UI that is not there, say) gets the
/// problem of its status, with its headers kept.
pub async fn problems_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(res);
    }
    let kept = res.headers().clone();
    let (req, _) = res.into_parts();
    let mut problem = ApiError::Status(status).error_response();
    for (name, value) in &kept {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, problem))
}

/// A problem in German for a caller whose `Accept-Language` prefers it (see
/// `problem::german`): its title, detail and validation messages; a message without a German
/// form stays English. Every problem says it varies by `Accept-Language`.
pub async fn problems_in_german(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let wanted = german::preferred_in(req.headers());
    match next.call(req).await {
        Ok(res) => {
            let (req, res) = res.map_into_boxed_body().into_parts();
            Ok(ServiceResponse::new(req, worded(res, wanted).await))
        }
        Err(e) => {
            let res = worded(e.error_response(), wanted).await;
            Err(InternalError::from_response(e, res).into())
        }
    }
}

/// The response, a problem in German if it is one and German is wanted.
async fn worded(mut res: HttpResponse<BoxBody>, wanted: bool) -> HttpResponse<BoxBody> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return res;
    }
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    if !wanted {
        return res;
    }
    let (head, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body).await else {
        return ApiError::Status(StatusCode::INTERNAL_SERVER_ERROR).error_response();
    };
    let Ok(mut problem) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return head.set_body(bytes).map_into_boxed_body();
    };
    in_german(&mut problem);
    let mut res = head.set_body(problem.to_string()).map_into_boxed_body();
    res.headers_mut()
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("de"));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    res
}

/// A problem's words in German, where they have a German form.
fn in_german(problem: &mut serde_json::Value) {
    let kind = problem["type"]
        .as_str()
        .and_then(|t| t.strip_prefix("urn:zv-monitor:problem:"))
        .unwrap_or_default()
        .to_owned();
    if let Some(title) = german::title(&kind) {
        problem["title"] = title.into();
    }
    let words = |v: &mut serde_json::Value| {
        if let Some(text) = v.as_str().and_then(german::text_of) {
            *v = text.into();
        }
    };
    if let Some(detail) = problem.get_mut("detail") {
        words(detail);
    }
    let errors = problem
        .get_mut("errors")
        .and_then(serde_json::Value::as_array_mut);
    for message in errors
        .into_iter()
        .flatten()
        .filter_map(|e| e.get_mut("message"))
    {
        words(message);
    }
}

/// The headers of a careful API on every response, errors included: no content sniffing,
/// no shared cache for what a token was needed to read (official figures do not belong in
/// a proxy), and a Content-Security-Policy.
pub async fn careful_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = routed_path(&req).to_owned();
    match next.call(req).await {
        Ok(mut res) => {
            add_careful_headers(res.headers_mut(), &path);
            Ok(res.map_into_boxed_body())
        }
        Err(e) => {
            let mut res = e.error_response();
            add_careful_headers(res.headers_mut(), &path);
            Err(InternalError::from_response(e, res).into())
        }
    }
}

fn add_careful_headers(headers: &mut HeaderMap, path: &str) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if path.starts_with("/api/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let policy = if path.starts_with("/swagger-ui") {
        SWAGGER_UI_POLICY
    } else {
        API_POLICY
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
}

/// Conditional reads under `/api/v1`: a successful GET carries an ETag (the object's
/// version where it has one, else a hash of the body), and a request whose `If-None-Match`
/// names it gets 304 without the body, so a poller that has the answer pays for little. A
/// streamed body (the facts export) is passed on untouched: it is never held in memory.
pub async fn conditional_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let wanted = req.method() == Method::GET && routed_path(&req).starts_with("/api/v1/");
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?.map_into_boxed_body();
    if !wanted || res.status() != StatusCode::OK {
        return Ok(res);
    }
    let res = match res.headers().get(header::ETAG) {
        Some(_) => res,
        None => match with_body_etag(res).await {
            Some(res) => res,
            None => return Err(ApiError::Status(StatusCode::INTERNAL_SERVER_ERROR).into()),
        },
    };
    let etag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (etag, if_none_match) {
        (Some(etag), Some(wanted)) if matches_any(&wanted, &etag) => {
            let kept = res.headers().clone();
            let (req, _) = res.into_parts();
            let mut not_modified = HttpResponse::NotModified().finish();
            for name in [header::ETAG, header::CACHE_CONTROL] {
                if let Some(v) = kept.get(&name) {
                    not_modified.headers_mut().insert(name, v.clone());
                }
            }
            Ok(ServiceResponse::new(req, not_modified))
        }
        _ => Ok(res),
    }
}

/// A strong ETag of a body: the first half of its SHA-256, in quotes.
pub(crate) fn body_etag(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(body)[..16]))
}

/// The response with a strong ETag made from its body; a streamed body is left as it is. None
/// when the body could not be read.
async fn with_body_etag(res: ServiceResponse<BoxBody>) -> Option<ServiceResponse<BoxBody>> {
    if !matches!(
        res.response().body().size(),
        actix_web::body::BodySize::Sized(_)
    ) {
        return Some(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body).await.ok()?;
    let etag = body_etag(&bytes);
    let mut res = head.set_body(bytes).map_into_boxed_body();
    res.headers_mut()
        .insert(header::ETAG, HeaderValue::from_str(&etag).ok()?);
    Some(ServiceResponse::new(req, res))
}

/// Whether `If-None-Match` (`*`, or a list of tags, weak ones compared weakly as RFC 9110
/// § 13.1.2 asks) names `etag`.
fn matches_any(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| bare(t) == bare(etag))
}

#[cfg(test)]
mod tests {
    use super::matches_any;

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(matches_any("\"3\"", "\"3\""));
        assert!(matches_any("W/\"3\", \"4\"", "\"3\""));
        assert!(matches_any("*", "\"3\""));
        assert!(!matches_any("\"4\"", "\"3\""));
    }
}
