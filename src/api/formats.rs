//! The formats a client may ask data in.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::problem::ApiError;
use crate::api::tables::Table;
use crate::sheets::XLSX;

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
pub fn prefers(req: &HttpRequest, media: &str) -> bool {
    use actix_web::http::header::{Accept, Header};
    Accept::parse(req)
        .ok()
        .and_then(|accept| accept.ranked().into_iter().next())
        .is_some_and(|first| first.essence_str() == media)
}

/// The form a report is asked in by `format`, in place of `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    /// CSV for German spreadsheets.
    Csv,
    /// A chart, where the report has one.
    Svg,
    /// An XLSX workbook of one sheet.
    Xlsx,
}

impl ReportFormat {
    /// The form `format` names, or else the one `Accept` ranks first; JSON when neither does.
    fn of(req: &HttpRequest, asked: Option<ReportFormat>) -> Self {
        asked.unwrap_or_else(|| {
            [
                ("image/svg+xml", ReportFormat::Svg),
                ("text/csv", ReportFormat::Csv),
                (XLSX, ReportFormat::Xlsx),
            ]
            .into_iter()
            .find(|(media, _)| prefers(req, media))
            .map_or(ReportFormat::Json, |(_, form)| form)
        })
    }
}

const NO_CHART: &str = "`format`: this report has no chart; ask for json, csv or xlsx";

/// A report as the client asks for it (`format`, or else `Accept`): a chart where the report
/// has one, CSV for German spreadsheets, an XLSX workbook (titled in German on
/// `Accept-Language: de`), JSON otherwise. `Vary: Accept, Accept-Language` either way.
pub fn negotiated<'t, T: serde::Serialize>(
    req: &HttpRequest,
    asked: Option<ReportFormat>,
    chart: impl FnOnce() -> Option<String>,
    table: impl FnOnce() -> Table<'t>,
    json: impl FnOnce() -> T,
) -> Result<HttpResponse, ApiError> {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::VARY, "Accept, Accept-Language"));
    Ok(match ReportFormat::of(req, asked) {
        ReportFormat::Svg => match chart() {
            Some(svg) => res.content_type("image/svg+xml").body(svg),
            None if asked.is_some() => {
                return Err(ApiError::BadRequest(NO_CHART.into()));
            }
            None => res.json(json()),
        },
        ReportFormat::Csv => res
            .content_type("text/csv; charset=utf-8")
            .body(table().csv()),
        ReportFormat::Xlsx => {
            let table = table();
            let german = crate::api::problem::german::preferred_in(req.headers());
            let bytes = table.xlsx(german).map_err(|e| {
                tracing::error!(error = %e, "a report's workbook could not be written");
                ApiError::Status(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
            })?;
            res.content_type(XLSX)
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.xlsx\"", table.file),
                ))
                .body(bytes)
        }
        ReportFormat::Json => res.json(json()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_report_without_a_chart_says_so_in_both_languages() {
        assert!(crate::api::problem::german::text_of(super::NO_CHART).is_some());
    }
}
