//! `/api/v1/transmissions`: BA statistics requested and received by HMSI, forwarded to the
//! Träger, acknowledged by them.

mod csv;
mod dto;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};

use crate::api::UploadLimit;
use crate::api::headers::{IdempotencyKey, etag, mark_created};
use crate::api::pagination::{self, decode_cursor, next_cursor, page_of};
use crate::api::params;
use crate::api::problem::{
    ApiError, AuthProblems, BadRequest, ConflictResponse, JsonBodyProblems, NotFound,
};
use crate::app::transmissions::{self as app, Listing, RequestInput};
use crate::app::{AppError, Clock};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::transmission::{RawRow, Transmission, changes};
use crate::store::Db;

pub use dto::*;

pub const TAG: &str = "transmissions";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_transmissions)
        .service(find_transmission)
        .service(create_transmission)
        .service(put_data)
        .service(get_data)
        .service(forward_transmission)
        .service(acknowledge_transmission)
        .service(list_versions)
        .service(find_version);
}

fn single(status: StatusCode, t: Transmission) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(t.version)))
        .json(TransmissionResponse::from(t))
}

/// List transmissions
///
/// HMSI sees all; a Träger or Jobcenter token sees forwarded transmissions only, each with its
/// own Träger's line.
#[utoipa::path(tag = TAG, params(TransmissionQuery), responses(
    (status = 200, description = "One page of transmissions", body = TransmissionPage),
    (status = 400, response = BadRequest),
    AuthProblems,
), security(("bearer" = [])))]
#[get("/transmissions")]
pub async fn list_transmissions(
    principal: Principal,
    query: web::Query<TransmissionQuery>,
    db: web::Data<Db>,
) -> Result<web::Json<TransmissionPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let q = query.into_inner();
    let listing = Listing {
        year: params::year(q.year)?,
        status: q.status,
        section: q.section,
    };
    let after = q.after.as_deref().map(decode_cursor).transpose()?;
    let limit = pagination::limit(q.limit)?;
    let key = |t: &Transmission| t.id.clone();
    let (items, more) = page_of(
        app::list(&db, visibility, listing).await?,
        after.as_deref(),
        limit,
        key,
    );
    let next = next_cursor(&items, more, key);
    Ok(web::Json(TransmissionPage {
        items: items.into_iter().map(TransmissionResponse::from).collect(),
        next,
    }))
}

/// Read one transmission
///
/// For HMSI with every Träger's delivery line (forwarded at, acknowledged at or pending); a
/// Träger or Jobcenter token sees it only once forwarded, with its own line (404 before).
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1")), responses(
    (status = 200, description = "The transmission", body = TransmissionResponse),
    AuthProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}")]
pub async fn find_transmission(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    Ok(single(
        StatusCode::OK,
        app::find(&db, visibility, id.into_inner()).await?,
    ))
}

/// Record a request to BA statistics
///
/// HMSI only, with scope `write`: the year, the BA-sourced indicators it serves, BA's table or
/// order reference, the date asked. Status `requested`.
#[utoipa::path(tag = TAG, params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateTransmissionRequest, responses(
    (status = 201, description = "Recorded", body = TransmissionResponse,
        headers(("Location" = String, description = "URL of the transmission"))),
    JsonBodyProblems,
    AuthProblems,
), security(("bearer" = [])))]
#[post("/transmissions")]
pub async fn create_transmission(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateTransmissionRequest>,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::RequestStatistics)?;
    let b = body.into_inner();
    let input = RequestInput {
        year: b.year,
        indicators: b.indicators,
        ba_reference: b.ba_reference,
        requested_on: b.requested_on,
        note: b.note,
    };
    let outcome = app::create(&db, principal.actor(), input, **clock, key.0).await?;
    let location = format!("/api/v1/transmissions/{}", outcome.value.id);
    let mut res = single(StatusCode::CREATED, outcome.value);
    mark_created(&mut res, &location, outcome.replayed);
    Ok(res)
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
        .map(|(i, r)| {
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
                provisional: r.provisional,
                revised: r.revised,
            }
        })
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
/// header `traeger;indicator;value` (or `,`; optionally a column `flags` with `p` provisional,
/// `r` revised), UTF-8 with or without BOM, CRLF or LF, quoted fields, decimal comma or point.
/// BA's marks map to a status and never to 0: `*` suppressed, `-` nil, `x` not applicable.
/// Every error at once, by line (`/lines/n`) or pointer. Before forwarding, new data replaces
/// the current version; after forwarding it is a new version that needs a `reason`.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"), DataQuery),
    request_body(content(
        (DataRequest = "application/json"),
        (String = "text/csv", example = "traeger;indicator;value\r\n06633;psychosocial_care;17\r\n06611;psychosocial_care;*\r\n"),
    )),
    responses(
    (status = 200, description = "Stored (or, on a dry run, what would be)", body = ImportResponse),
    JsonBodyProblems,
    AuthProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[put("/transmissions/{id}/data")]
pub async fn put_data(
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<DataQuery>,
    req: HttpRequest,
    payload: web::Payload,
    limit: web::Data<UploadLimit>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::RequestStatistics)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if content_type != "application/json" && content_type != "text/csv" {
        return Err(ApiError::UnsupportedMediaType(
            "The data must be application/json or text/csv.".into(),
        ));
    }
    let body = payload
        .to_bytes_limited(limit.0)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "The request body is larger than {} bytes.",
                limit.0
            ))
        })?
        .map_err(|e| ApiError::BadRequest(format!("The request body could not be read: {e}")))?;
    let (raw, broken, body_reason) = if content_type == "text/csv" {
        let (rows, broken) = csv::parse(&body).map_err(ApiError::invalid)?;
        (rows, broken, None)
    } else {
        let (rows, reason) = json_rows(&body)?;
        (rows, Vec::new(), reason)
    };
    let q = query.into_inner();
    let import = app::receive(
        &db,
        principal.actor(),
        id.into_inner(),
        raw,
        broken,
        q.reason.or(body_reason),
        q.dry_run.unwrap_or(false),
    )
    .await?;
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
    (status = 400, response = BadRequest),
    AuthProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}/data")]
pub async fn get_data(
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<DataOutQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let t = app::find(&db, visibility, id.into_inner()).await?;
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
                .body(csv::write(&version.rows, german)))
        }
        _ => Ok(HttpResponse::Ok().json(DataResponse {
            transmission_id: t.id.clone(),
            version: version.number,
            rows: version.rows.iter().cloned().map(DataRowDto::from).collect(),
        })),
    }
}

/// Forward to the Träger
///
/// HMSI only, with scope `write`: from now on each Träger and its Jobcenter see their own rows
/// of the current version. Figures no Träger receives (§ 4 costs) are never forwarded.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1")), responses(
    (status = 200, description = "Forwarded", body = TransmissionResponse),
    AuthProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/transmissions/{id}/forward")]
pub async fn forward_transmission(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::RequestStatistics)?;
    Ok(single(
        StatusCode::OK,
        app::forward(&db, principal.actor(), id.into_inner()).await?,
    ))
}

/// Acknowledge receipt
///
/// A Träger token with scope `write` confirms it received the newest forwarded version.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1")), responses(
    (status = 201, description = "Acknowledged", body = TransmissionResponse),
    AuthProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/transmissions/{id}/acknowledgements")]
pub async fn acknowledge_transmission(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::AcknowledgeTransmission)?;
    let t = app::acknowledge(&db, principal.actor(), visibility, id.into_inner()).await?;
    Ok(single(StatusCode::CREATED, t))
}

/// Every version of a transmission
///
/// BA corrects data retroactively; every version stays readable. A Träger sees the forwarded
/// versions.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1")), responses(
    (status = 200, description = "The versions", body = Vec<VersionDto>),
    AuthProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}/versions")]
pub async fn list_versions(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<web::Json<Vec<VersionDto>>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let t = app::find(&db, visibility, id.into_inner()).await?;
    Ok(web::Json(TransmissionResponse::from(t).versions))
}

/// One version and what changed
///
/// The version's rows (a Träger: its own) and the rows that differ from the version before,
/// so a Träger sees what BA corrected.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"),
    ("n" = i32, Path, description = "Version number, from 1", example = 2)), responses(
    (status = 200, description = "The version", body = VersionResponse),
    (status = 400, response = BadRequest),
    AuthProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}/versions/{n}")]
pub async fn find_version(
    principal: Principal,
    path: web::Path<(String, i32)>,
    db: web::Data<Db>,
) -> Result<web::Json<VersionResponse>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let (id, n) = path.into_inner();
    let t = app::find(&db, visibility, id).await?;
    let pos = t
        .versions
        .iter()
        .position(|v| v.number == n)
        .ok_or(AppError::NotFound)?;
    let current = &t.versions[pos];
    let before = pos
        .checked_sub(1)
        .map(|p| t.versions[p].rows.as_slice())
        .unwrap_or_default();
    let dto = TransmissionResponse::from(t.clone());
    Ok(web::Json(VersionResponse {
        version: dto
            .versions
            .into_iter()
            .nth(pos)
            .ok_or(AppError::NotFound)?,
        changes: changes(before, &current.rows)
            .into_iter()
            .map(RowChangeDto::from)
            .collect(),
        rows: current.rows.iter().cloned().map(DataRowDto::from).collect(),
    }))
}
