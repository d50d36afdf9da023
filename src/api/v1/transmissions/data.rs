//! `/api/v1/transmissions/{id}/data`: BA's data in (JSON or CSV) and out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};

use super::TAG;
use super::csv;
use super::dto::*;
use crate::api::headers::{IfMatch, etag};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems, IfMatchProblems, JsonBodyProblems, NotFound};
use crate::api::schemas::Document;
use crate::api::upload;
use crate::app::transmissions::{self as app, Upload};
use crate::app::{AppError, Mode, Services};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::ids::TransmissionId;
use crate::domain::transmission::RawRow;
use crate::sheets;

/// One JSON row as it arrived; a status and a value at once, or an unknown status, is
/// recorded in `errors`.
fn raw_row(i: usize, r: DataRowRequest, errors: &mut Vec<Violation>) -> RawRow {
    let mark = match r.status.as_deref() {
        None => None,
        Some("suppressed") => Some("*"),
        Some("nil") => Some("-"),
        Some("not_applicable") => Some("x"),
        Some(other) => {
            errors.push(Violation::new(
                format!("/rows/{i}/status"),
                format!("`{other}` is not one of: suppressed, nil, not_applicable"),
            ));
            None
        }
    };
    let value = match (&r.value, mark) {
        (None | Some(serde_json::Value::Null), Some(m)) => Some(m.to_owned()),
        (Some(serde_json::Value::Number(n)), None) => Some(n.to_string()),
        (Some(serde_json::Value::String(s)), None) => Some(s.clone()),
        (None | Some(serde_json::Value::Null), None) => None,
        (Some(_), Some(_)) => {
            errors.push(Violation::new(
                format!("/rows/{i}"),
                "give a value or a status, not both",
            ));
            None
        }
        (Some(other), None) => Some(other.to_string()),
    };
    RawRow {
        at: format!("/rows/{i}"),
        traeger: r.traeger,
        indicator: r.indicator,
        value,
        month: r.month,
        data_as_of: r.data_as_of,
        provisional: r.provisional,
        revised: r.revised,
        cells: Vec::new(),
    }
}

fn json_rows(body: &[u8]) -> Result<(Vec<RawRow>, Option<String>), ApiError> {
    let request: DataRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "The request body is not valid JSON for this operation: {e}"
        ))
    })?;
    let Some(rows) = request.rows else {
        return Err(ApiError::invalid(vec![Violation::new(
            "/rows",
            "is required",
        )]));
    };
    let mut errors = Vec::new();
    let raw = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| raw_row(i, r, &mut errors))
        .collect();
    if errors.is_empty() {
        Ok((raw, request.reason))
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Store the data BA delivered
///
/// HMSI only, with scope `write`. `application/json` (`{"rows": [...]}`) or `text/csv` with the
/// header `traeger;indicator;value` in any order (or `,`; optionally `flags` with `p`
/// provisional, `r` revised; for a Kennzahl `month` and `data_as_of`, BA's Datenstand; `traeger`
/// an AGS or BA's Jobcenter id), UTF-8 with or without BOM, CRLF or LF, quoted fields, decimal
/// comma or point.
/// BA's marks map to a status and never to 0: `*` suppressed, `-` nil, `x` not applicable.
/// Every error at once, by line (`/lines/n`) or pointer. Before forwarding, new data replaces
/// the current version; after forwarding it is a new version that needs a `reason`.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"),
    ("If-Match" = String, Header, description = "The ETag you read"), DataQuery),
    request_body(content(
        (DataRequest = "application/json"),
        (Document = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv", examples(
            ("figures" = (summary = "Figures of the year, Stadt Kassel's suppressed",
                value = json!("traeger;indicator;value\r\n06633;psychosocial_care;17\r\n06611;psychosocial_care;*\r\n"))),
            ("kennzahlen" = (summary = "BA's Kennzahlen by Jobcenter, month and Datenstand",
                value = json!("traeger;indicator;month;value;data_as_of\r\njc-06432;k2;2024-07;26,7;2024-10-15\r\njc-06432;k3;2024-07;0,9713;2024-10-15\r\njc-06411;k3;2024-07;*;2024-10-15\r\n"))),
        )),
    )),
    responses(
    (status = 200, description = "Stored (or, on a dry run, what would be)", body = ImportResponse,
        headers(("ETag" = String, description = "The new version"))),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
    IfMatchProblems,
), security(("bearer" = [])))]
#[put("/transmissions/{id}/data")]
pub async fn put_data(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    query: web::Query<DataQuery>,
    req: HttpRequest,
    payload: web::Payload,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::RequestStatistics)?;
    let content_type = upload::media_type(&req);
    if !["application/json", "text/csv", sheets::XLSX].contains(&content_type.as_str()) {
        return Err(ApiError::UnsupportedMediaType(
            "The data must be application/json, text/csv or an XLSX workbook \
             (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)."
                .into(),
        ));
    }
    let id: TransmissionId = params::id(&id)?;
    let q = query.into_inner();
    let mut wide = q.wide(content_type == sheets::XLSX)?;
    if content_type == sheets::XLSX {
        let t = app::find(&services, visibility.clone(), id.clone()).await?;
        wide.served = t.indicators.iter().map(|i| i.code.to_string()).collect();
    }
    let body = upload::read(&req, payload).await?;
    let (rows, broken, body_reason) = match content_type.as_str() {
        "text/csv" => {
            let (rows, broken) = csv::parse(&body).map_err(ApiError::invalid)?;
            (rows, broken, None)
        }
        "application/json" => {
            let (rows, reason) = json_rows(&body)?;
            (rows, Vec::new(), reason)
        }
        _ => {
            let rows = web::block(move || sheets::wide_rows(&body, &wide))
                .await
                .map_err(|e| ApiError::BadRequest(format!("the workbook cannot be read: {e}")))?
                .map_err(ApiError::invalid)?;
            (rows, Vec::new(), None)
        }
    };
    let upload = Upload {
        rows,
        broken,
        reason: q.reason.or(body_reason),
        expected_version: if_match.0,
    };
    let mode = Mode::of(q.dry_run.unwrap_or(false));
    let actor = principal.actor();
    let import = app::receive(&services, actor, visibility, id, upload, mode).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(import.transmission.version)))
        .json(ImportResponse::from(import)))
}

/// The data of a transmission
///
/// HMSI: every row of the newest version (or `version`). A Träger or Jobcenter: only its own
/// rows of the forwarded versions, never another Träger's, never the figures HMSI keeps. As
/// JSON, or CSV (`format=csv`; `csv=de` for `;`, a BOM and decimal commas); BA's marks stay
/// marks in every format.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"), DataOutQuery), responses(
    (status = 200, description = "The rows", content(
        (DataResponse = "application/json"),
        (String = "text/csv", example = "traeger,indicator,value,status,flags\r\n06611,psychosocial_care,*,suppressed,\r\n"),
    )),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}/data")]
pub async fn get_data(
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<DataOutQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let t = app::find(&services, visibility, params::id(&id)?).await?;
    let version = match query.version {
        Some(n) => t.versions.iter().find(|v| v.number == n),
        None => t.versions.last(),
    }
    .ok_or(AppError::NotFound)?;
    match query.format {
        Some(DataFormat::Csv) => {
            let german = matches!(query.csv, Some(CsvDialect::De));
            let disposition = format!("attachment; filename=\"{}-v{}.csv\"", t.id, version.number);
            Ok(HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((header::CONTENT_DISPOSITION, disposition))
                .body(csv::write(&version.rows, t.year, german)))
        }
        _ => Ok(HttpResponse::Ok().json(DataResponse {
            transmission_id: t.id.to_string(),
            version: version.number,
            rows: version
                .rows
                .iter()
                .map(|r| DataRowDto::of(r.clone(), t.year))
                .collect(),
        })),
    }
}
