//! `/api/v1/traeger/{ags}/reporting-bodies`: the Jugendämter and Schuldnerberatungsstellen that
//! report through a Träger, so breakdowns name them the same way every year.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::headers::{IdempotencyKey, IfMatch, mark_created, versioned};
use crate::api::params;
use crate::api::problem::{
    ApiError, CommonProblems, ConflictResponse, IfMatchProblems, JsonBodyProblems, NotFound,
};
use crate::app::Services;
use crate::app::reporting_bodies as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::reporting_body::{
    ReportingBody, ReportingBodyId, ReportingBodyInput, ReportingBodyKind,
};
use crate::domain::traeger::Ags;

pub const TAG: &str = "traeger";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_reporting_bodies)
        .service(find_reporting_body)
        .service(register_reporting_body)
        .service(change_reporting_body);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "rb-06633-1", "traeger": "06633", "name": "Schuldner- und Insolvenzberatung der Diakonie Kassel",
    "kind": "schuldnerberatung", "active": true, "version": 1,
    "created_at": "2024-01-10T09:00:00Z", "updated_at": "2024-01-10T09:00:00Z"
}))]
pub struct ReportingBodyResponse {
    pub id: String,
    pub traeger: String,
    /// As breakdowns name it.
    pub name: String,
    pub kind: ReportingBodyKind,
    /// False once it no longer reports; it stays registered for the breakdowns that name it.
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ReportingBody> for ReportingBodyResponse {
    fn from(b: ReportingBody) -> Self {
        ReportingBodyResponse {
            id: b.id.into(),
            traeger: b.traeger.into(),
            name: b.name,
            kind: b.kind,
            active: b.active,
            version: b.version,
            created_at: b.created_at.and_utc(),
            updated_at: b.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportingBodyList {
    pub traeger: String,
    /// By name.
    pub items: Vec<ReportingBodyResponse>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "kind": "schuldnerberatung"}))]
pub struct ReportingBodyRequest {
    /// As breakdowns are to name it; unique among the Träger's bodies, at most 200 characters.
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    #[schema(value_type = ReportingBodyKind, required = true)]
    pub kind: Option<String>,
    /// Left out: true.
    pub active: Option<bool>,
}

impl From<ReportingBodyRequest> for ReportingBodyInput {
    fn from(r: ReportingBodyRequest) -> Self {
        ReportingBodyInput {
            name: r.name,
            kind: r.kind,
            active: r.active,
        }
    }
}

fn single(status: StatusCode, b: ReportingBody) -> HttpResponse {
    versioned(status, b.version, ReportingBodyResponse::from(b))
}

/// An AGS in the path: one of the wrong shape is 400, as for the Träger itself.
fn ags_of(raw: &str) -> Result<Ags, ApiError> {
    super::traeger::parse_ags(raw)
}

/// The Träger's reporting bodies
///
/// Every role within its visibility: HMSI any Träger's, a Träger or Jobcenter token its own
/// (another Träger's: 404).
#[utoipa::path(tag = TAG, params(("ags" = String, Path, description = "AGS of the Träger", example = "06633")),
    responses(
    (status = 200, description = "The bodies, by name", body = ReportingBodyList),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/traeger/{ags}/reporting-bodies")]
pub async fn list_reporting_bodies(
    principal: Principal,
    ags: web::Path<String>,
    services: web::Data<Services>,
) -> Result<web::Json<ReportingBodyList>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadRegistry)?;
    let ags = ags_of(&ags)?;
    let items = app::list(&services, visibility, ags.clone()).await?;
    Ok(web::Json(ReportingBodyList {
        traeger: ags.into(),
        items: items.into_iter().map(ReportingBodyResponse::from).collect(),
    }))
}

/// One reporting body
///
/// Within the caller's visibility, like the list; with its `ETag` for a change.
#[utoipa::path(tag = TAG, params(("ags" = String, Path, description = "AGS of the Träger", example = "06633"),
    ("id" = String, Path, example = "rb-06633-1")), responses(
    (status = 200, description = "The body", body = ReportingBodyResponse,
        headers(("ETag" = String, description = "Send as If-Match to change it"))),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/traeger/{ags}/reporting-bodies/{id}")]
pub async fn find_reporting_body(
    principal: Principal,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadRegistry)?;
    let (ags, id) = path.into_inner();
    let (ags, id): (Ags, ReportingBodyId) = (ags_of(&ags)?, params::id(&id)?);
    let b = app::find(&services, visibility, ags, id).await?;
    Ok(single(StatusCode::OK, b))
}

/// Register a reporting body
///
/// The Träger itself (scope `write`) or HMSI. Breakdowns that name an active registered body
/// are taken without a warning; the name is unique among the Träger's bodies (422 otherwise).
#[utoipa::path(tag = TAG, params(("ags" = String, Path, description = "AGS of the Träger", example = "06633"),
    ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = ReportingBodyRequest, responses(
    (status = 201, description = "Registered", body = ReportingBodyResponse, headers(
        ("Location" = String, description = "URL of the body"),
        ("ETag" = String, description = "Its version"))),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[post("/traeger/{ags}/reporting-bodies")]
pub async fn register_reporting_body(
    principal: Principal,
    ags: web::Path<String>,
    key: IdempotencyKey,
    body: web::Json<ReportingBodyRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::MaintainReportingBodies)?;
    let ags = ags_of(&ags)?;
    let input = body.into_inner().into();
    let actor = principal.actor();
    let outcome = app::register(&services, actor, visibility, ags, input, key.0).await?;
    let b = outcome.value;
    let location = format!("/api/v1/traeger/{}/reporting-bodies/{}", b.traeger, b.id);
    let mut res = single(StatusCode::CREATED, b);
    mark_created(&mut res, &location, outcome.replayed);
    Ok(res)
}

/// Change a reporting body
///
/// The Träger itself (scope `write`) or HMSI, `If-Match` required: rename it, change its kind,
/// or retire it with `active: false` (it stays registered for the breakdowns that name it). Old
/// submissions keep the name they were submitted with.
#[utoipa::path(tag = TAG, params(("ags" = String, Path, description = "AGS of the Träger", example = "06633"),
    ("id" = String, Path, example = "rb-06633-1"),
    ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = ReportingBodyRequest, responses(
    (status = 200, description = "Changed", body = ReportingBodyResponse,
        headers(("ETag" = String, description = "The new version"))),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    IfMatchProblems,
), security(("bearer" = [])))]
#[put("/traeger/{ags}/reporting-bodies/{id}")]
pub async fn change_reporting_body(
    principal: Principal,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: web::Json<ReportingBodyRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::MaintainReportingBodies)?;
    let (ags, id) = path.into_inner();
    let target = (ags_of(&ags)?, params::id(&id)?);
    let input = body.into_inner().into();
    let actor = principal.actor();
    let b = app::change(&services, actor, visibility, target, if_match.0, input).await?;
    Ok(single(StatusCode::OK, b))
}
