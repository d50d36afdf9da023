//! `/api/v1/indicators`: the catalogue of figures the agreements ask for.

mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};

use crate::api::headers::{
    IdempotencyKey, IfMatch, kept_json, mark_created, rendered_json, versioned,
};
use crate::api::pagination::{self, next_cursor, page_of};
use crate::api::params;
use crate::api::problem::{
    ApiError, CommonProblems, ConflictResponse, IfMatchProblems, JsonBodyProblems, NotFound,
};
use crate::app::Services;
use crate::app::idempotency::Outcome;
use crate::app::indicators::{self as app, Listing};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::indicator::{Indicator, IndicatorCode, parse_year};

pub use dto::*;

pub const TAG: &str = "indicators";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_indicators)
        .service(find_indicator)
        .service(create_indicator)
        .service(update_indicator);
}

/// The key of a version in the listing, as its cursor holds it: `code@valid_from`.
struct VersionKey(IndicatorCode, i32);

impl std::fmt::Display for VersionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.0, self.1)
    }
}

impl std::str::FromStr for VersionKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (code, year) = s.split_once('@').ok_or("no `@`")?;
        let year = year.parse::<i64>().map_err(|e| e.to_string())?;
        Ok(VersionKey(IndicatorCode::parse(code)?, parse_year(year)?))
    }
}

fn code_param(raw: &str) -> Result<IndicatorCode, ApiError> {
    IndicatorCode::parse(raw).map_err(ApiError::BadRequest)
}

fn single(status: StatusCode, i: Indicator, year: Option<i32>) -> HttpResponse {
    versioned(status, i.version, IndicatorResponse::of(i, year))
}

/// List indicators
///
/// With `year`: the catalogue valid in that year, one version per code, reference dates for
/// that year. Without: every version of every code.
#[utoipa::path(
    tag = TAG,
    params(IndicatorQuery),
    responses(
        (status = 200, description = "One page of indicators", body = IndicatorPage),
        CommonProblems,
    ),
    security(("bearer" = []))
)]
#[get("/indicators")]
pub async fn list_indicators(
    principal: Principal,
    query: web::Query<IndicatorQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::ReadCatalogue)?;
    let q = query.into_inner();
    let year = params::year(q.year)?;
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after::<VersionKey>(q.after.as_deref())?;
    // Everything the page depends on, the cursor as it was sent (it was checked above).
    let key = format!(
        "{year:?} {:?} {:?} {limit} {:?}",
        q.section, q.source, q.after
    );
    let listing = Listing {
        year,
        section: q.section,
        source: q.source,
    };
    let page = app::list_rendered(&services, listing, key, move |all| {
        let key = |i: &Indicator| VersionKey(i.code.clone(), i.valid_from).to_string();
        let (items, more) = page_of(all, after.as_deref(), limit, key);
        let next = next_cursor(&items, more, key);
        rendered_json(&IndicatorPage {
            items: items
                .into_iter()
                .map(|i| IndicatorResponse::of(i, year))
                .collect(),
            next,
        })
    })
    .await?;
    Ok(kept_json(&page))
}

/// Read one indicator
///
/// The version valid in `year`, or the newest version without it.
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, example = "debt_counselling_stock"), YearQuery),
    responses(
        (status = 200, description = "The indicator",
            content((IndicatorResponse = "application/json", examples(
                ("figure" = (summary = "A figure the Träger reports (§ 2 (3))",
                    value = json!({
                        "code": "debt_counselling_stock", "valid_from": 2023, "year": 2023,
                        "section": "§ 2 (3)", "name_de": "Personen in Schuldnerberatung (Bestand)",
                        "description_de": null, "unit": "count", "measure": "stock",
                        "source": "traeger", "reference": {"kind": "stock", "date": "2023-12-31"},
                        "part_of": null, "breakdown_by_reporting_body": true,
                        "discontinued": false, "version": 1,
                        "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:00Z"}))),
                ("kennzahl" = (summary = "A Kennzahl of § 48a SGB II from BA, month by month",
                    value = json!({
                        "code": "k3", "valid_from": 2019, "year": 2024, "section": "§ 48a SGB II",
                        "name_de": "Veränderung des Bestands an Langzeitleistungsbeziehenden",
                        "description_de": "KennzahlenV § 6 Abs. 1: Zahl der Langzeitleistungsbeziehenden im Bezugsmonat geteilt durch ihre Zahl im Bezugsmonat des Vorjahres",
                        "unit": "ratio", "measure": "quotient", "source": "ba",
                        "reference": {"kind": "monthly"}, "part_of": null,
                        "breakdown_by_reporting_body": false, "discontinued": false, "version": 1,
                        "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:00Z"}))),
            ))),
            headers(("ETag" = String, description = "Send as If-Match to change this version"))),
        CommonProblems,
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/indicators/{code}")]
pub async fn find_indicator(
    principal: Principal,
    code: web::Path<String>,
    query: web::Query<YearQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::ReadCatalogue)?;
    let code = code_param(&code)?;
    let year = params::year(query.year)?;
    let found = app::find(&services, code, year).await?;
    Ok(single(StatusCode::OK, found, year))
}

/// Add an indicator or a new version
///
/// HMSI only, with scope `write`. A version applies from `valid_from` until the next version of
/// the code. `part_of` must name a total valid in that year, of the same unit, without a cycle.
#[utoipa::path(
    tag = TAG,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateIndicatorRequest,
    responses(
        (status = 201, description = "Created", body = IndicatorResponse, headers(
            ("Location" = String, description = "URL of the new version"),
            ("ETag" = String, description = "Version of the new indicator"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 409, response = ConflictResponse),
    ),
    security(("bearer" = []))
)]
#[post("/indicators")]
pub async fn create_indicator(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateIndicatorRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::MaintainCatalogue)?;
    let (code, year, definition) = body.into_inner().validate()?;
    let Outcome { value, replayed } =
        app::create(&services, principal.actor(), code, year, definition, key.0).await?;
    let location = format!(
        "/api/v1/indicators/{}?year={}",
        value.code, value.valid_from
    );
    let mut res = single(StatusCode::CREATED, value, None);
    mark_created(&mut res, &location, replayed);
    Ok(res)
}

/// Change an indicator version
///
/// HMSI only, with scope `write`, `If-Match` required; `year` is the version's `valid_from`.
/// Once a signed agreement asks for the version it is never changed in place: 409, and a new
/// version is created with POST instead.
#[utoipa::path(
    tag = TAG,
    params(
        ("code" = String, Path, example = "debt_counselling_stock"),
        ("year" = i32, Query, description = "`valid_from` of the version to change", example = 2023),
        ("If-Match" = String, Header, description = "The ETag you read"),
    ),
    request_body = IndicatorDefinitionRequest,
    responses(
        (status = 200, description = "Changed", body = IndicatorResponse,
            headers(("ETag" = String, description = "The new version"))),
        JsonBodyProblems,
        CommonProblems,
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
        IfMatchProblems,
    ),
    security(("bearer" = []))
)]
#[put("/indicators/{code}")]
pub async fn update_indicator(
    principal: Principal,
    code: web::Path<String>,
    query: web::Query<YearQuery>,
    if_match: IfMatch,
    body: web::Json<IndicatorDefinitionRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::MaintainCatalogue)?;
    let code = code_param(&code)?;
    let year = params::year(query.year)?.ok_or_else(|| {
        ApiError::BadRequest("`year` (the version's valid_from) is required".into())
    })?;
    let definition = body
        .into_inner()
        .validate(Some(year))
        .map_err(ApiError::invalid)?;
    let updated = app::update(
        &services,
        principal.actor(),
        code,
        year,
        if_match.0,
        definition,
    )
    .await?;
    Ok(single(StatusCode::OK, updated, None))
}
