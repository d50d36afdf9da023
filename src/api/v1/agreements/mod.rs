//! `/api/v1/agreements`: the Zielvereinbarungen, their obligations and signatures.

mod bulk;
mod dto;
mod printed;
mod requests;
pub(crate) mod targets;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};

use crate::api::formats::prefers;
use crate::api::headers::{IdempotencyKey, IfMatch, etag, mark_created, versioned};
use crate::api::pagination::{self, next_cursor};
use crate::api::params;
use crate::api::problem::{
    ApiError, CommonProblems, ConflictResponse, IfMatchProblems, JsonBodyProblems, NotFound,
};
use crate::api::schemas::Document;
use crate::app::Services;
use crate::app::agreements as app;
use crate::app::idempotency::Outcome;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::actor::Role;
use crate::domain::agreement::{Agreement, AgreementFilter, Party};
use crate::domain::ids::AgreementId;
use crate::domain::indicator::parse_year;
use crate::domain::traeger::Ags;

pub use dto::*;
pub use requests::*;

pub const TAG: &str = "agreements";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_agreements)
        .service(rollover_agreements)
        .service(bulk::draft_agreements)
        .service(find_agreement)
        .service(create_agreement)
        .service(update_agreement)
        .service(discard_agreement)
        .service(sign_agreement)
        .service(targets::agreement_targets);
}

fn single(status: StatusCode, a: Agreement) -> HttpResponse {
    versioned(status, a.version, AgreementResponse::from(a))
}

fn year_value(pointer: &str, raw: Option<i64>) -> Result<i32, Violation> {
    match raw {
        None => Err(Violation::new(pointer, "is required")),
        Some(y) => parse_year(y).map_err(|m| Violation::new(pointer, m)),
    }
}

/// List agreements
///
/// HMSI sees every agreement; a Träger or Jobcenter token only its own Träger's.
#[utoipa::path(
    tag = TAG,
    params(AgreementQuery),
    responses(
        (status = 200, description = "One page of agreements, by year and AGS", body = AgreementPage),
        CommonProblems,
    ),
    security(("bearer" = []))
)]
#[get("/agreements")]
pub async fn list_agreements(
    principal: Principal,
    query: web::Query<AgreementQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<AgreementPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let q = query.into_inner();
    let filter = AgreementFilter {
        year: params::year(q.year)?,
        traeger: params::traeger(q.traeger.as_deref())?,
        status: q.status,
    };
    let after = pagination::after::<AgreementId>(q.after.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let (items, more) = app::list(&services, visibility, filter, after, limit).await?;
    let next = next_cursor(&items, more, |a| a.id.to_string());
    Ok(web::Json(AgreementPage {
        items: items.into_iter().map(AgreementResponse::from).collect(),
        next,
    }))
}

/// Read one agreement
///
/// Another Träger's agreement is answered with 404 for Träger and Jobcenter tokens. With
/// `Accept: application/pdf`, the agreement as a document laid out as the signed paper is
/// (title block, Präambel, sections with their paragraphs and obligations, signature block with
/// the signatories and dates, and its status on every page), for filing.
#[utoipa::path(
    tag = TAG,
    params(("id" = String, Path, example = "zv-2023-06633-1")),
    responses(
        (status = 200, description = "The agreement", content(
            (AgreementResponse = "application/json"),
            (Document = "application/pdf"),
        ), headers(("ETag" = String, description = "Send as If-Match to edit a draft (of the JSON)"))),
        CommonProblems,
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/agreements/{id}")]
pub async fn find_agreement(
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let id = params::id(&id)?;
    let vary = (header::VARY, "Accept");
    if !prefers(&req, "application/pdf") {
        let mut res = single(StatusCode::OK, app::find(&services, visibility, id).await?);
        res.headers_mut()
            .insert(vary.0, header::HeaderValue::from_static(vary.1));
        return Ok(res);
    }
    let (a, t) = app::printable(&services, visibility, id).await?;
    let disposition = format!("inline; filename=\"{}.pdf\"", a.id);
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::ETAG, format!("\"{}.pdf\"", a.version)))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header(vary)
        .body(printed::pdf(&a, &t.content)))
}

/// Draft an agreement
///
/// HMSI only, with scope `write`. From the year's template, or as a copy of another agreement
/// (`copy_from`) with due dates moved by the difference in years. One agreement per Träger and
/// year; a copy of the current signed agreement of the same year becomes its successor.
#[utoipa::path(
    tag = TAG,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateAgreementRequest,
    responses(
        (status = 201, description = "The draft", body = DraftResponse, headers(
            ("Location" = String, description = "URL of the new agreement"),
            ("ETag" = String, description = "Version of the new agreement"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 409, response = ConflictResponse),
    ),
    security(("bearer" = []))
)]
#[post("/agreements")]
pub async fn create_agreement(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateAgreementRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DraftAgreements)?;
    let b = body.into_inner();
    let traeger = match b.traeger.as_deref().map(Ags::parse) {
        None => Err(Violation::new("/traeger", "is required")),
        Some(r) => r.map_err(|m| Violation::new("/traeger", m)),
    };
    let year = year_value("/year", b.year);
    let (traeger, year) = match (traeger, year) {
        (Ok(t), Ok(y)) => (t, y),
        (t, y) => {
            return Err(ApiError::invalid(
                t.err().into_iter().chain(y.err()).collect(),
            ));
        }
    };
    let actor = principal.actor();
    let Outcome { value, replayed } = app::create(
        &services,
        actor,
        visibility,
        traeger,
        year,
        b.copy_from,
        key.0,
    )
    .await?;
    let location = format!("/api/v1/agreements/{}", value.agreement.id);
    let mut res = HttpResponse::Created()
        .insert_header((header::ETAG, etag(value.agreement.version)))
        .json(DraftResponse {
            agreement: value.agreement.into(),
            unmapped: value.unmapped.into_iter().map(UnmappedDto::from).collect(),
        });
    mark_created(&mut res, &location, replayed);
    Ok(res)
}

/// Edit a draft
///
/// HMSI only, with scope `write`, `If-Match` required. Replaces the whole content; indicators
/// must be valid in the agreement's year. Once anyone has signed, the text never changes: 409.
#[utoipa::path(
    tag = TAG,
    params(
        ("id" = String, Path, example = "zv-2024-06633-1"),
        ("If-Match" = String, Header, description = "The ETag you read"),
    ),
    request_body = UpdateAgreementRequest,
    responses(
        (status = 200, description = "Changed", body = AgreementResponse,
            headers(("ETag" = String, description = "The new version"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
        IfMatchProblems,
    ),
    security(("bearer" = []))
)]
#[put("/agreements/{id}")]
pub async fn update_agreement(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<UpdateAgreementRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DraftAgreements)?;
    let id: AgreementId = params::id(&id)?;
    let input = body.into_inner().into();
    let actor = principal.actor();
    let updated = app::update(&services, actor, visibility, id, if_match.0, input).await?;
    Ok(single(StatusCode::OK, updated))
}

/// Discard a draft
///
/// HMSI only, with scope `write`, `If-Match` required. A draft nobody signed bound no one and is
/// removed; the ledger keeps its last state (`discard`, no state after it) and its number is
/// never given to another agreement. Once anyone has signed: 409.
#[utoipa::path(
    tag = TAG,
    params(
        ("id" = String, Path, example = "zv-2024-06633-1"),
        ("If-Match" = String, Header, description = "The ETag you read"),
    ),
    responses(
        (status = 204, description = "Discarded"),
        CommonProblems,
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
        IfMatchProblems,
    ),
    security(("bearer" = []))
)]
#[delete("/agreements/{id}")]
pub async fn discard_agreement(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DraftAgreements)?;
    let id: AgreementId = params::id(&id)?;
    app::discard(&services, principal.actor(), visibility, id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign an agreement
///
/// An HMSI token signs for the ministry, a Träger token (scope `write`) for its own Träger. The
/// second signature puts the agreement in force (and supersedes its predecessor, if any).
/// Signing twice for the same party is a conflict; a Jobcenter is no party.
#[utoipa::path(
    tag = TAG,
    params(("id" = String, Path, example = "zv-2023-06633-1")),
    request_body = SignatureRequest,
    responses(
        (status = 200, description = "Signed", body = AgreementResponse,
            headers(("ETag" = String, description = "The new version"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
    ),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/signatures")]
pub async fn sign_agreement(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<SignatureRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::SignAgreement)?;
    let party = match principal.role {
        Role::Hmsi => Party::Hmsi,
        _ => Party::Traeger,
    };
    let id: AgreementId = params::id(&id)?;
    let input = body.into_inner().validate()?;
    let actor = principal.actor();
    let signed = app::sign(&services, actor, visibility, id, party, input).await?;
    Ok(single(StatusCode::OK, signed))
}

/// Roll agreements over to a new year
///
/// HMSI only, with scope `write`. A draft for `to_year` for every Träger with a current
/// agreement in `from_year`: due dates move by the difference in years, indicators not valid in
/// `to_year` are left out and listed. Träger with an agreement for `to_year` are skipped, so
/// repeating the call creates nothing twice.
#[utoipa::path(
    tag = TAG,
    request_body = RolloverRequest,
    responses(
        (status = 200, description = "What the rollover did", body = RolloverResponse),
        JsonBodyProblems,
        CommonProblems,
    ),
    security(("bearer" = []))
)]
#[post("/agreements/rollover")]
pub async fn rollover_agreements(
    principal: Principal,
    body: web::Json<RolloverRequest>,
    services: web::Data<Services>,
) -> Result<web::Json<RolloverResponse>, ApiError> {
    let visibility = authorize(&principal, Permission::DraftAgreements)?;
    let b = body.into_inner();
    let (from, to) = match (
        year_value("/from_year", b.from_year),
        year_value("/to_year", b.to_year),
    ) {
        (Ok(f), Ok(t)) if f != t => (f, t),
        (Ok(_), Ok(_)) => {
            return Err(ApiError::invalid(vec![Violation::new(
                "/to_year",
                "must differ from `from_year`",
            )]));
        }
        (f, t) => {
            return Err(ApiError::invalid(
                f.err().into_iter().chain(t.err()).collect(),
            ));
        }
    };
    let actor = principal.actor();
    let done = app::rollover(&services, actor, visibility, from, to).await?;
    Ok(web::Json(done.into()))
}
