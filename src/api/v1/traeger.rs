//! `/api/v1/traeger`: the registry of the 26 kommunale Träger and their Jobcenter.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::headers::{IdempotencyKey, IfMatch, mark_created, versioned};
use crate::api::pagination::{self, next_cursor};
use crate::api::problem::{
    ApiError, CommonProblems, ConflictResponse, IfMatchProblems, JsonBodyProblems, NotFound,
};
use crate::app::Services;
use crate::app::idempotency::Outcome;
use crate::app::traeger as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::traeger::{
    Ags, JobcenterForm, Traeger, TraegerContent, TraegerFilter, TraegerInput, TraegerKind,
};

pub const TAG: &str = "traeger";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_traeger)
        .service(find_traeger)
        .service(create_traeger)
        .service(update_traeger);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobcenterResponse {
    #[schema(example = "jc-06633")]
    pub id: String,
    #[schema(example = "Jobcenter Landkreis Kassel")]
    pub name: String,
    pub form: JobcenterForm,
}

/// A kommunaler Träger and its Jobcenter.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "ags": "06633", "name": "Landkreis Kassel", "kind": "landkreis",
    "jobcenter": {"id": "jc-06633", "name": "Jobcenter Landkreis Kassel", "form": "ge"},
    "version": 1, "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:00Z"
}))]
pub struct TraegerResponse {
    /// Amtlicher Gemeindeschlüssel of the Kreis or kreisfreie Stadt.
    pub ags: String,
    pub name: String,
    pub kind: TraegerKind,
    pub jobcenter: JobcenterResponse,
    /// Grows with every change; the ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Traeger> for TraegerResponse {
    fn from(t: Traeger) -> Self {
        TraegerResponse {
            ags: t.ags.to_string(),
            name: t.content.name,
            kind: t.content.kind,
            jobcenter: JobcenterResponse {
                id: t.content.jobcenter.id,
                name: t.content.jobcenter.name,
                form: t.content.jobcenter.form,
            },
            version: t.version,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        }
    }
}

/// One page of Träger in AGS order.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraegerPage {
    pub items: Vec<TraegerResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobcenterRequest {
    #[schema(value_type = String, required = true, example = "jc-06633", pattern = "^[a-z0-9-]{1,64}$")]
    pub id: Option<String>,
    #[schema(value_type = String, required = true, example = "Jobcenter Landkreis Kassel")]
    pub name: Option<String>,
    #[schema(value_type = JobcenterForm, required = true)]
    pub form: Option<String>,
}

/// A new Träger for the registry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "ags": "06633", "name": "Landkreis Kassel", "kind": "landkreis",
    "jobcenter": {"id": "jc-06633", "name": "Jobcenter Landkreis Kassel", "form": "ge"}
}))]
pub struct CreateTraegerRequest {
    /// Five digits, `06` for Hessen, e.g. `06633`.
    #[schema(value_type = String, required = true, pattern = "^06[456][0-9]{2}$")]
    pub ags: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    #[schema(value_type = TraegerKind, required = true)]
    pub kind: Option<String>,
    #[schema(required = true)]
    pub jobcenter: Option<JobcenterRequest>,
}

/// The new content of a Träger; the AGS is its identity and cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Landkreis Kassel", "kind": "landkreis",
    "jobcenter": {"id": "jc-06633", "name": "Jobcenter Landkreis Kassel", "form": "ge"}
}))]
pub struct UpdateTraegerRequest {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    #[schema(value_type = TraegerKind, required = true)]
    pub kind: Option<String>,
    #[schema(required = true)]
    pub jobcenter: Option<JobcenterRequest>,
}

fn content(
    name: Option<String>,
    kind: Option<String>,
    jobcenter: Option<JobcenterRequest>,
) -> Result<TraegerContent, Vec<Violation>> {
    let jobcenter_missing = jobcenter.is_none();
    let jc = jobcenter.unwrap_or_default();
    let input = TraegerInput {
        name,
        kind,
        jobcenter_id: jc.id,
        jobcenter_name: jc.name,
        jobcenter_form: jc.form,
    };
    input.validate().map_err(|mut errors| {
        // A missing jobcenter object is one violation, not three.
        if jobcenter_missing {
            errors.retain(|e| !e.pointer.starts_with("/jobcenter/"));
            errors.push(Violation::new("/jobcenter", "is required"));
        }
        errors
    })
}

impl CreateTraegerRequest {
    fn validate(self) -> Result<(Ags, TraegerContent), ApiError> {
        let ags = match &self.ags {
            None => Err(Violation::new("/ags", "is required")),
            Some(raw) => Ags::parse(raw).map_err(|m| Violation::new("/ags", m)),
        };
        match (ags, content(self.name, self.kind, self.jobcenter)) {
            (Ok(ags), Ok(content)) => Ok((ags, content)),
            (ags, content) => Err(ApiError::invalid(
                ags.err()
                    .into_iter()
                    .chain(content.err().unwrap_or_default())
                    .collect(),
            )),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TraegerQuery {
    /// Only Träger whose Jobcenter has this form.
    pub form: Option<JobcenterForm>,
    /// Only Landkreise or only kreisfreie Städte.
    pub kind: Option<TraegerKind>,
    /// Page size, 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

pub(super) fn parse_ags(raw: &str) -> Result<Ags, ApiError> {
    Ags::parse(raw).map_err(ApiError::BadRequest)
}

fn single(status: actix_web::http::StatusCode, t: Traeger) -> HttpResponse {
    versioned(status, t.version, TraegerResponse::from(t))
}

/// List the Träger
///
/// HMSI sees all Träger; a Träger or Jobcenter token sees only its own.
#[utoipa::path(
    tag = TAG,
    params(TraegerQuery),
    responses(
        (status = 200, description = "One page of Träger", body = TraegerPage),
        CommonProblems,
    ),
    security(("bearer" = []))
)]
#[get("/traeger")]
pub async fn list_traeger(
    principal: Principal,
    query: web::Query<TraegerQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<TraegerPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadRegistry)?;
    let q = query.into_inner();
    let filter = TraegerFilter {
        form: q.form,
        kind: q.kind,
    };
    let after = pagination::after::<Ags>(q.after.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let (items, more) = app::list(&services, visibility, filter, after, limit).await?;
    let next = next_cursor(&items, more, |t| t.ags.to_string());
    Ok(web::Json(TraegerPage {
        items: items.into_iter().map(TraegerResponse::from).collect(),
        next,
    }))
}

/// Read one Träger
///
/// Another Träger's entry is answered with 404 for Träger and Jobcenter tokens.
#[utoipa::path(
    tag = TAG,
    params(("ags" = String, Path, description = "AGS of the Träger", example = "06633")),
    responses(
        (status = 200, description = "The Träger", body = TraegerResponse,
            headers(("ETag" = String, description = "Send as If-Match to update"))),
        CommonProblems,
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/traeger/{ags}")]
pub async fn find_traeger(
    principal: Principal,
    ags: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadRegistry)?;
    let ags = parse_ags(&ags)?;
    let t = app::find(&services, visibility, ags).await?;
    Ok(single(actix_web::http::StatusCode::OK, t))
}

/// Add a Träger
///
/// HMSI only, with scope `write`. Send an `Idempotency-Key` to make retries safe: the same key
/// with the same body returns the first response (with `Idempotent-Replayed: true`).
#[utoipa::path(
    tag = TAG,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response", example = "0b6f3f0e-6e38-4d7b-a1a4-2f0f7c4d9a21")),
    request_body = CreateTraegerRequest,
    responses(
        (status = 201, description = "Created", body = TraegerResponse, headers(
            ("Location" = String, description = "URL of the new Träger"),
            ("ETag" = String, description = "Version of the new Träger"),
            ("Idempotent-Replayed" = String, description = "`true` when this is the replay of an earlier response"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 409, response = ConflictResponse),
    ),
    security(("bearer" = []))
)]
#[post("/traeger")]
pub async fn create_traeger(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateTraegerRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::MaintainRegistry)?;
    let (ags, content) = body.into_inner().validate()?;
    let Outcome { value, replayed } =
        app::create(&services, principal.actor(), ags, content, key.0).await?;
    let location = format!("/api/v1/traeger/{}", value.ags);
    let mut res = single(actix_web::http::StatusCode::CREATED, value);
    mark_created(&mut res, &location, replayed);
    Ok(res)
}

/// Change a Träger
///
/// HMSI only, with scope `write`. `If-Match` with the ETag you read is required, so that no
/// concurrent change is overwritten; a body equal to the current content changes nothing.
#[utoipa::path(
    tag = TAG,
    params(
        ("ags" = String, Path, description = "AGS of the Träger", example = "06633"),
        ("If-Match" = String, Header, description = "The ETag you read, e.g. `\"1\"`"),
    ),
    request_body = UpdateTraegerRequest,
    responses(
        (status = 200, description = "Changed", body = TraegerResponse,
            headers(("ETag" = String, description = "The new version"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
        IfMatchProblems,
    ),
    security(("bearer" = []))
)]
#[put("/traeger/{ags}")]
pub async fn update_traeger(
    principal: Principal,
    ags: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<UpdateTraegerRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::MaintainRegistry)?;
    let ags = parse_ags(&ags)?;
    let b = body.into_inner();
    let content = content(b.name, b.kind, b.jobcenter).map_err(ApiError::invalid)?;
    let actor = principal.actor();
    let t = app::update(&services, actor, visibility, ags, if_match.0, content).await?;
    Ok(single(actix_web::http::StatusCode::OK, t))
}
