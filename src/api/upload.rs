//! Uploads an endpoint reads itself, such as BA's data: the media type it names, and the body
//! up to the upload limit (`ZV_MAX_UPLOAD_BYTES`), which is larger than the JSON bodies' one.

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::{self, Bytes, Payload};

use super::problem::ApiError;

/// The largest upload an endpoint that reads its body itself accepts.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub usize);

/// The media type the request names, without parameters, in lower case (empty without one).
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the whole body, refusing one larger than the upload limit with 413.
pub async fn read(req: &HttpRequest, payload: Payload) -> Result<Bytes, ApiError> {
    let limit = req
        .app_data::<web::Data<UploadLimit>>()
        .map_or(UploadLimit(0), |l| *l.get_ref());
    payload
        .to_bytes_limited(limit.0)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "The request body is larger than {} bytes.",
                limit.0
            ))
        })?
        .map_err(|e| ApiError::BadRequest(format!("The request body could not be read: {e}")))
}
