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

/// The byte order mark German spreadsheets need to read a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The start of a CSV document: the BOM for German spreadsheets, nothing otherwise.
pub fn csv_start(german: bool) -> Vec<u8> {
    if german { BOM.to_vec() } else { Vec::new() }
}

/// A CSV writer appending to `out`: `;` for German spreadsheets, `,` otherwise (RFC 4180), CRLF
/// line ends either way.
pub fn csv_writer(german: bool, out: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(if german { b';' } else { b',' })
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
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

/// A report as the client asks for it: a chart (`image/svg+xml`) or CSV for German spreadsheets
/// (`text/csv`) where it ranks them first, JSON otherwise; `Vary: Accept` either way.
pub fn negotiated<T: serde::Serialize>(
    req: &actix_web::HttpRequest,
    svg: impl FnOnce() -> String,
    csv: impl FnOnce() -> Vec<u8>,
    json: impl FnOnce() -> T,
) -> actix_web::HttpResponse {
    let mut res = actix_web::HttpResponse::Ok();
    res.insert_header((actix_web::http::header::VARY, "Accept"));
    if prefers(req, "image/svg+xml") {
        res.content_type("image/svg+xml").body(svg())
    } else if prefers(req, "text/csv") {
        res.content_type("text/csv; charset=utf-8").body(csv())
    } else {
        res.json(json())
    }
}
