//! `/api/v1/exports/facts`: every value in long format, streamed batch by batch.

mod rows;
mod workbook;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::formats::{CsvDialect, csv_start, csv_writer};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems};
use crate::api::schemas::Document;
use crate::app::exports::{Export, FactFilter};
use crate::app::{AppError, Services};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::fact::{CSV_COLUMNS, Fact, FactState, SDMX_COLUMNS};
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::transmission::BaMarker;
use crate::sheets;
use tokio::task::JoinHandle;

pub use rows::{FactExport, FactRow};

pub const TAG: &str = "exports";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(export_facts);
}

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Ndjson,
    Csv,
    /// SDMX-CSV 2.0 (`application/vnd.sdmx.data+csv;version=2.0.0`).
    Sdmx,
    /// An XLSX workbook, one sheet (at most 1 048 575 facts).
    Xlsx,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FactQuery {
    pub year: Option<i64>,
    /// AGS of the Träger.
    pub traeger: Option<String>,
    pub indicator: Option<String>,
    /// e.g. `§ 2 (3)`
    pub section: Option<String>,
    pub source: Option<Source>,
    /// Only values in this state (the `state` column).
    pub state: Option<FactState>,
    /// Only the cells BA marked so (the `status` column); a Träger's figures carry no mark.
    pub status: Option<BaMarker>,
    /// Overrides `Accept`: `json`, `ndjson`, `csv`, `sdmx` (SDMX-CSV 2.0) or `xlsx`.
    pub format: Option<ExportFormat>,
    /// With CSV: `de` for `;`, a BOM and decimal commas.
    pub csv: Option<CsvDialect>,
    /// RFC 3339, e.g. `2024-03-01T00:00:00Z`: the values as they were valid then.
    pub as_of: Option<String>,
}

fn bad(what: &str, e: String) -> ApiError {
    ApiError::BadRequest(format!("`{what}`: {e}"))
}

impl FactQuery {
    /// The facts asked for.
    fn filter(&self) -> Result<FactFilter, ApiError> {
        Ok(FactFilter {
            year: params::year(self.year)?,
            traeger: params::traeger(self.traeger.as_deref())?,
            indicator: self
                .indicator
                .as_deref()
                .map(IndicatorCode::parse)
                .transpose()
                .map_err(|e| bad("indicator", e))?,
            section: self.section.clone(),
            source: self.source,
            state: self.state,
            status: self.status,
            as_of: self
                .as_of
                .as_deref()
                .map(|t| {
                    chrono::DateTime::parse_from_rfc3339(t)
                        .map(|t| t.naive_utc())
                        .map_err(|e| bad("as_of", format!("`{t}` is not an RFC 3339 time ({e})")))
                })
                .transpose()?,
        })
    }
}

fn format_of(req: &HttpRequest, asked: Option<ExportFormat>) -> ExportFormat {
    if let Some(f) = asked {
        return f;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains(sheets::XLSX) {
        ExportFormat::Xlsx
    } else if accept.contains("application/vnd.sdmx.data+csv") {
        ExportFormat::Sdmx
    } else if accept.contains("text/csv") {
        ExportFormat::Csv
    } else if accept.contains("application/x-ndjson") {
        ExportFormat::Ndjson
    } else {
        ExportFormat::Json
    }
}

/// Facts per piece of the body: about 80 KiB of NDJSON, 40 of CSV, well below the size glibc
/// gives pages of their own (`memory::tune_allocator`), so a piece costs no page faults.
/// Whole batches as one piece each (up to 1.4 MB of NDJSON) took the export's peak to 44 MiB.
const PIECE_FACTS: usize = 256;

/// Renders the export in the chosen format, batch by batch.
struct Renderer {
    format: ExportFormat,
    german: bool,
    wrote_item: bool,
    /// Bytes a row took at most so far, and some.
    row_bytes: usize,
}

impl Renderer {
    fn new(format: ExportFormat, german: bool) -> Self {
        Renderer {
            format,
            german,
            wrote_item: false,
            // A CSV row of a Träger's figure is about 160 bytes, an NDJSON row about 320.
            row_bytes: 200,
        }
    }

    fn head(&self) -> Vec<u8> {
        match self.format {
            ExportFormat::Json => b"{\"items\":[".to_vec(),
            ExportFormat::Ndjson => Vec::new(),
            ExportFormat::Csv => {
                let mut out = csv_start(self.german);
                out.extend(self.csv_line(&CSV_COLUMNS));
                out
            }
            ExportFormat::Sdmx => self.csv_line(&SDMX_COLUMNS),
            ExportFormat::Xlsx => Vec::new(),
        }
    }

    fn csv_writer(&self, out: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv_writer(self.german, out)
    }

    fn csv_line(&self, cells: &[&str]) -> Vec<u8> {
        let mut w = self.csv_writer(Vec::new());
        let _ = w.write_record(cells);
        w.into_inner().unwrap_or_default()
    }

    /// A batch in pieces of [`PIECE_FACTS`] facts: each piece is sent as it is, so neither
    /// its buffer nor the connection's write buffer, which a chunk is copied into, grows to a
    /// whole batch (1.4 MB of NDJSON).
    fn batch(&mut self, facts: &[Fact]) -> Vec<Bytes> {
        facts.chunks(PIECE_FACTS).map(|p| self.piece(p)).collect()
    }

    fn piece(&mut self, facts: &[Fact]) -> Bytes {
        let continues = std::mem::replace(&mut self.wrote_item, true);
        // Sized by the longest rows so far, so that a piece is written without growing.
        let mut out = Vec::with_capacity(facts.len() * self.row_bytes);
        match self.format {
            ExportFormat::Csv | ExportFormat::Sdmx | ExportFormat::Xlsx => {
                // One writer for the whole piece: a writer per row cost a third of the time.
                let mut w = self.csv_writer(out);
                for f in facts {
                    let _ = match self.format {
                        ExportFormat::Csv => f.write_csv(&mut w, self.german),
                        _ => f.write_sdmx(&mut w),
                    };
                }
                out = w.into_inner().unwrap_or_default();
            }
            ExportFormat::Json | ExportFormat::Ndjson => {
                for (i, f) in facts.iter().enumerate() {
                    if self.format == ExportFormat::Json && (i > 0 || continues) {
                        out.push(b',');
                    }
                    f.write_json(&mut out);
                    if self.format == ExportFormat::Ndjson {
                        out.push(b'\n');
                    }
                }
            }
        }
        self.row_bytes = self
            .row_bytes
            .max(out.len().div_ceil(facts.len().max(1)) + 16);
        Bytes::from(out)
    }

    fn tail(&self) -> Vec<u8> {
        match self.format {
            ExportFormat::Json => b"]}".to_vec(),
            _ => Vec::new(),
        }
    }
}

/// Where the body stands: the head to send, batches to render, or done.
enum Body {
    Head(JoinHandle<Fetched>, Renderer),
    Batches(JoinHandle<Fetched>, Renderer),
    Done,
}

type Fetched = (Export, Result<Option<Vec<Fact>>, AppError>);

/// Reads the next batch in a task of its own, so that the database works on it while the
/// current batch is rendered. Dropping the handle (the client went away) lets the task end
/// after its batch, and the export with it.
fn fetch(mut export: Export) -> JoinHandle<Fetched> {
    actix_web::rt::spawn(async move {
        let batch = export.next_batch().await;
        (export, batch)
    })
}

/// The next pieces of the body: the batch after the one under way, rendered off the worker
/// thread; the tail and `Body::Done` when the export is complete.
async fn next_pieces(
    pending: JoinHandle<Fetched>,
    r: Renderer,
) -> Result<(Vec<Bytes>, Body), String> {
    let (export, batch) = pending.await.map_err(|e| format!("export task: {e}"))?;
    match batch.map_err(|e| e.to_string())? {
        Some(facts) => {
            let next = fetch(export);
            let (pieces, r) = web::block(move || {
                let mut r = r;
                (r.batch(&facts), r)
            })
            .await
            .map_err(|e| format!("rendering: {e}"))?;
            Ok((pieces, Body::Batches(next, r)))
        }
        None => Ok((vec![Bytes::from(r.tail())], Body::Done)),
    }
}

/// Export the facts
///
/// Every value in long format, one row per year, Träger, indicator and reporting body (or the
/// figure itself): from the Träger's submissions (the accepted revision, else the one under
/// review) and from BA transmissions (the newest version; a Träger sees only forwarded data).
/// With `as_of`, the values valid at that instant: the revisions accepted and the versions
/// received (a Träger: forwarded) by then, so an old report is reproduced exactly.
/// BA's suppressed, nil and not-applicable cells keep their status in every format. Streamed
/// in batches: the first rows leave before the last are read. Every batch reads the snapshot
/// taken when the export starts, so a change committed meanwhile is wholly in the export or
/// not at all. HMSI reads all; a Träger or Jobcenter token its own Träger's facts. As XLSX
/// (`format=xlsx` or `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`)
/// one sheet: the AGS as text, values as numbers in their unit's format, BA's mark as text,
/// days as dates, German column titles with `Accept-Language: de`; an export of more than
/// 1 048 575 facts is 422 (a sheet's end), ask for CSV or NDJSON.
#[utoipa::path(tag = TAG, params(FactQuery), responses(
    (status = 200, description = "The facts", content(
        (FactExport = "application/json", example = json!({"items": [{"year": 2023, "traeger": "06611",
            "traeger_name": "Stadt Kassel", "section": "§ 2 (4)", "indicator": "psychosocial_care", "unit": "count",
            "reference": "2023-01-01/2023-12-31", "reporting_body": null, "value": null, "status": "suppressed",
            "provisional": false, "source": "ba", "origin": "ba-2023-1", "revision": 1, "state": "forwarded", "late": false,
            "changed_at": "2024-03-05T10:00:00.000000Z"}]})),
        (String = "application/x-ndjson", example = "{\"year\":2023,\"traeger\":\"06611\",\"traeger_name\":\"Stadt Kassel\",\"section\":\"§ 2 (4)\",\"indicator\":\"psychosocial_care\",\"unit\":\"count\",\"reference\":\"2023-01-01/2023-12-31\",\"reporting_body\":null,\"value\":null,\"status\":\"suppressed\",\"provisional\":false,\"source\":\"ba\",\"origin\":\"ba-2023-1\",\"revision\":1,\"state\":\"forwarded\",\"late\":false,\"changed_at\":\"2024-03-05T10:00:00.000000Z\"}\n"),
        (String = "application/vnd.sdmx.data+csv;version=2.0.0", example = "STRUCTURE,STRUCTURE_ID,ACTION,TIME_PERIOD,TRAEGER,INDICATOR,REPORTING_BODY,SOURCE,OBS_VALUE,OBS_STATUS,UNIT_MEASURE,REF_PERIOD,STATE\r\ndataflow,HMSI:ZV_FACTS(1.0),I,2023,06611,psychosocial_care,_T,ba,,C,COUNT,2023-01-01/2023-12-31,forwarded\r\n"),
        (Document = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv", example = "year,traeger,traeger_name,section,indicator,unit,reference,reporting_body,value,status,source,origin,revision,state,late,changed_at\r\n2023,06611,Stadt Kassel,§ 2 (4),psychosocial_care,count,2023-01-01/2023-12-31,,*,suppressed,ba,ba-2023-1,1,forwarded,false,2024-03-05T10:00:00.000000Z\r\n"),
    )),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/exports/facts")]
pub async fn export_facts(
    principal: Principal,
    req: HttpRequest,
    query: web::Query<FactQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadExports)?;
    let q = query.into_inner();
    let filter = q.filter()?;
    let german = q.csv == Some(CsvDialect::De);
    let format = format_of(&req, q.format);
    let year = filter.year;
    let export = Export::start(&services, visibility, filter).await?;
    if format == ExportFormat::Xlsx {
        let german = crate::api::problem::german::preferred_in(req.headers());
        let file = workbook::facts(export, german).await?;
        let name = year.map_or_else(|| "facts".to_owned(), |y| format!("facts-{y}"));
        return Ok(HttpResponse::Ok()
            .content_type(sheets::XLSX)
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.xlsx\""),
            ))
            .streaming(crate::api::files::stream(file)));
    }
    let renderer = Renderer::new(format, german);
    let content_type = match format {
        ExportFormat::Json => "application/json",
        ExportFormat::Ndjson => "application/x-ndjson",
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Sdmx => "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8",
        ExportFormat::Xlsx => sheets::XLSX,
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .streaming(body(export, renderer)))
}

/// The body: the head, then each batch as it is read, then the tail.
fn body(
    export: Export,
    renderer: Renderer,
) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    use futures_util::StreamExt;
    let batches =
        futures_util::stream::unfold(Body::Head(fetch(export), renderer), |state| async move {
            match state {
                Body::Head(pending, r) => {
                    Some((vec![Ok(Bytes::from(r.head()))], Body::Batches(pending, r)))
                }
                Body::Batches(pending, r) => match next_pieces(pending, r).await {
                    Ok((pieces, next)) => Some((pieces.into_iter().map(Ok).collect(), next)),
                    Err(e) => {
                        // The status line is sent: all that is left is to break off the body.
                        tracing::error!(error = %e, "export broke off");
                        let failed = actix_web::error::ErrorInternalServerError("export failed");
                        Some((vec![Err(failed)], Body::Done))
                    }
                },
                Body::Done => None,
            }
        });
    batches.flat_map(futures_util::stream::iter)
}

#[cfg(test)]
mod tests;
