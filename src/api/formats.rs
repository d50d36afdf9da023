//! The formats a client may ask data in.

use serde::Deserialize;
use utoipa::ToSchema;

/// How CSV is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CsvDialect {
    /// `,`, decimal point (RFC 4180).
    Rfc,
    /// `;`, a BOM and decimal commas, for German spreadsheets.
    De,
}

/// Whether `Accept` ranks `media` first among what it names (its weight highest, the first on
/// a tie); a missing header prefers nothing.
pub fn prefers(req: &actix_web::HttpRequest, media: &str) -> bool {
    use actix_web::http::header::{Accept, Header};
    Accept::parse(req)
        .ok()
        .and_then(|accept| accept.ranked().into_iter().next())
        .is_some_and(|first| first.essence_str() == media)
}
