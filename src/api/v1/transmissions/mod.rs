//! `/api/v1/transmissions`: BA statistics requested and received by HMSI, forwarded to the
//! Träger, acknowledged by them.

mod csv;
mod data;
mod dto;
mod workbook_query;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};

use crate::api::headers::{IdempotencyKey, IfMatch, mark_created, versioned};
use crate::api::pagination::{self, next_cursor, page_of};
use crate::api::params;
use crate::api::problem::{
    ApiError, CommonProblems, ConflictResponse, IfMatchProblems, JsonBodyProblems, NotFound,
};
use crate::app::transmissions as app;
use crate::app::{AppError, Services};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::ids::TransmissionId;
use crate::domain::transmission::{RequestInput, Transmission, TransmissionFilter, changes};

pub use dto::*;

pub const TAG: &str = "transmissions";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_transmissions)
        .service(find_transmission)
        .service(create_transmission)
        .service(cancel_transmission)
        .service(data::put_data)
        .service(data::get_data)
        .service(forward_transmission)
        .service(acknowledge_transmission)
        .service(list_versions)
        .service(find_version);
}

fn single(status: StatusCode, t: Transmission) -> HttpResponse {
    versioned(status, t.version, TransmissionResponse::from(t))
}

/// List transmissions
///
/// HMSI sees all; a Träger or Jobcenter token sees forwarded transmissions only, each with its
/// own Träger's line.
#[utoipa::path(tag = TAG, params(TransmissionQuery), responses(
    (status = 200, description = "One page of transmissions", body = TransmissionPage),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/transmissions")]
pub async fn list_transmissions(
    principal: Principal,
    query: web::Query<TransmissionQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<TransmissionPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let q = query.into_inner();
    let filter = TransmissionFilter {
        year: params::year(q.year)?,
        status: q.status,
        section: q.section,
    };
    let after = pagination::after::<TransmissionId>(q.after.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let key = |t: &Transmission| t.id.to_string();
    let all = app::list(&services, visibility, filter).await?;
    let (items, more) = page_of(all, after.as_deref(), limit, key);
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
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}")]
pub async fn find_transmission(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let t = app::find(&services, visibility, params::id(&id)?).await?;
    Ok(single(StatusCode::OK, t))
}

/// Record a request to BA statistics
///
/// HMSI only, with scope `write`: the year, the BA-sourced indicators it serves, BA's table or
/// order reference, the date asked. Status `requested`.
#[utoipa::path(tag = TAG, params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body(content((CreateTransmissionRequest = "application/json", examples(
        ("figures" = (summary = "§ 2 (4): a figure of the year", value = json!({
            "year": 2023, "indicators": ["psychosocial_care"],
            "ba_reference": "Auftrag 2024-0117, Tabelle 3.2", "requested_on": "2024-01-17",
            "note": "§ 2 (4): vom Jobcenter veranlasste Inanspruchnahmen"}))),
        ("kennzahlen" = (summary = "§ 48a SGB II: K2 and K3 month by month", value = json!({
            "year": 2024, "indicators": ["k2", "k3"],
            "ba_reference": "Kennzahlen nach § 48a SGB II, Datenstand Oktober 2024",
            "requested_on": "2024-10-20"}))),
    )))), responses(
    (status = 201, description = "Recorded", body = TransmissionResponse,
        headers(("Location" = String, description = "URL of the transmission"))),
    JsonBodyProblems,
    CommonProblems,
), security(("bearer" = [])))]
#[post("/transmissions")]
pub async fn create_transmission(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateTransmissionRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::RequestStatistics)?;
    let b = body.into_inner();
    let input = RequestInput {
        year: b.year,
        indicators: b.indicators,
        ba_reference: b.ba_reference,
        requested_on: b.requested_on,
        note: b.note,
    };
    let actor = principal.actor();
    let outcome = app::create(&services, actor, visibility, input, key.0).await?;
    let location = format!("/api/v1/transmissions/{}", outcome.value.id);
    let mut res = single(StatusCode::CREATED, outcome.value);
    mark_created(&mut res, &location, outcome.replayed);
    Ok(res)
}

/// Cancel a request
///
/// HMSI only, with scope `write`, `If-Match` required. A request BA has not answered is removed;
/// the ledger keeps its last state (`cancel`, no state after it) and its number is never given
/// to another request. Once BA's data is recorded: 409.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"),
    ("If-Match" = String, Header, description = "The ETag you read")), responses(
    (status = 204, description = "Cancelled"),
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    IfMatchProblems,
), security(("bearer" = [])))]
#[delete("/transmissions/{id}")]
pub async fn cancel_transmission(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::RequestStatistics)?;
    let id: TransmissionId = params::id(&id)?;
    app::cancel(&services, principal.actor(), visibility, id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Forward to the Träger
///
/// HMSI only, with scope `write`: from now on each Träger and its Jobcenter see their own rows
/// of the current version. Figures no Träger receives (§ 4 costs) are never forwarded.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"),
    ("If-Match" = String, Header, description = "The ETag you read")), responses(
    (status = 200, description = "Forwarded", body = TransmissionResponse,
        headers(("ETag" = String, description = "The new version"))),
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    IfMatchProblems,
), security(("bearer" = [])))]
#[post("/transmissions/{id}/forward")]
pub async fn forward_transmission(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::RequestStatistics)?;
    let id: TransmissionId = params::id(&id)?;
    let t = app::forward(&services, principal.actor(), visibility, id, if_match.0).await?;
    Ok(single(StatusCode::OK, t))
}

/// Acknowledge receipt
///
/// A Träger token with scope `write` confirms it received the newest forwarded version.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1")), responses(
    (status = 201, description = "Acknowledged", body = TransmissionResponse),
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
), security(("bearer" = [])))]
#[post("/transmissions/{id}/acknowledgements")]
pub async fn acknowledge_transmission(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::AcknowledgeTransmission)?;
    let id: TransmissionId = params::id(&id)?;
    let t = app::acknowledge(&services, principal.actor(), visibility, id).await?;
    Ok(single(StatusCode::CREATED, t))
}

/// Every version of a transmission
///
/// BA corrects data retroactively; every version stays readable. A Träger sees the forwarded
/// versions.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1")), responses(
    (status = 200, description = "The versions", body = Vec<VersionDto>),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}/versions")]
pub async fn list_versions(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<web::Json<Vec<VersionDto>>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let t = app::find(&services, visibility, params::id(&id)?).await?;
    Ok(web::Json(TransmissionResponse::from(t).versions))
}

/// One version and what changed
///
/// The version's rows (a Träger: its own) and the rows that differ from the version before,
/// so a Träger sees what BA corrected.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "ba-2023-1"),
    ("n" = i32, Path, description = "Version number, from 1", example = 2)), responses(
    (status = 200, description = "The version", body = VersionResponse),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/transmissions/{id}/versions/{n}")]
pub async fn find_version(
    principal: Principal,
    path: web::Path<(String, i32)>,
    services: web::Data<Services>,
) -> Result<web::Json<VersionResponse>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadTransmissions)?;
    let (id, n) = path.into_inner();
    let t = app::find(&services, visibility, params::id::<TransmissionId>(&id)?).await?;
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
            .map(|c| RowChangeDto::of(c, t.year))
            .collect(),
        rows: current
            .rows
            .iter()
            .map(|r| DataRowDto::of(r.clone(), t.year))
            .collect(),
    }))
}
