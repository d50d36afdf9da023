//! `/api/v1/indicators`: the catalogue of figures the agreements ask for.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::headers::{IDEMPOTENT_REPLAYED, IdempotencyKey, IfMatch, etag};
use crate::api::pagination::{self, decode_cursor, next_cursor, page_of};
use crate::api::problem::{
    ApiError, BadRequest, ConflictResponse, ForbiddenResponse, NotFound, PayloadTooLargeResponse,
    PreconditionFailedResponse, PreconditionRequiredResponse, Unauthorized, Unprocessable,
    UnsupportedMediaTypeResponse,
};
use crate::app::idempotency::Outcome;
use crate::app::indicators::{self as app, Listing};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::Violation;
use crate::domain::indicator::{
    Indicator, IndicatorCode, IndicatorDefinition, IndicatorInput, Reference, ReferenceInput,
    Source, parse_year,
};
use crate::store::Db;

pub const TAG: &str = "indicators";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_indicators)
        .service(find_indicator)
        .service(create_indicator)
        .service(update_indicator);
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitDto {
    Count,
    Eur,
    Text,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureDto {
    Stock,
    Flow,
    Report,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceDto {
    Traeger,
    Ba,
}

/// A reference date (`stock`) or period (`flow`), resolved for the year asked for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "stock", "date": "2023-12-31"}))]
pub struct ReferenceResponse {
    #[schema(example = "stock")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

impl ReferenceResponse {
    pub fn of(r: Reference, year: i32) -> Self {
        match r {
            Reference::Stock { date } => Self {
                kind: "stock".into(),
                date: Some(date.in_year(year)),
                from: None,
                to: None,
            },
            Reference::Flow { from, to } => Self {
                kind: "flow".into(),
                date: None,
                from: Some(from.in_year(year)),
                to: Some(to.in_year(year)),
            },
        }
    }
}

/// One version of an indicator.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "debt_counselling_stock_sgb2", "valid_from": 2023, "year": 2023, "section": "§ 2 (3)",
    "name_de": "davon aus SGB II-Bedarfsgemeinschaften (Bestand)", "description_de": null,
    "unit": "count", "measure": "stock", "source": "traeger",
    "reference": {"kind": "stock", "date": "2023-12-31"},
    "part_of": "debt_counselling_stock", "breakdown_by_reporting_body": true, "discontinued": false,
    "version": 1, "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:00Z"
}))]
pub struct IndicatorResponse {
    pub code: String,
    /// First year this version applies to; it applies until the next version of the code.
    pub valid_from: i32,
    /// The year the reference date or period is given for.
    pub year: i32,
    pub section: String,
    pub name_de: String,
    pub description_de: Option<String>,
    pub unit: UnitDto,
    pub measure: MeasureDto,
    pub source: SourceDto,
    pub reference: ReferenceResponse,
    /// The total this "davon" figure is part of.
    pub part_of: Option<String>,
    /// Whether values are broken down by reporting body (Jugendamt, Schuldnerberatungsstelle …).
    pub breakdown_by_reporting_body: bool,
    /// From `valid_from` on, the code is no longer asked for.
    pub discontinued: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn unit_dto(u: crate::domain::indicator::Unit) -> UnitDto {
    use crate::domain::indicator::Unit;
    match u {
        Unit::Count => UnitDto::Count,
        Unit::Eur => UnitDto::Eur,
        Unit::Text => UnitDto::Text,
    }
}

impl IndicatorResponse {
    /// The version as it reads for `year` (its own first year when none is asked for).
    pub fn of(i: Indicator, year: Option<i32>) -> Self {
        use crate::domain::indicator::Measure;
        let d = i.definition;
        let year = year.unwrap_or(i.valid_from);
        IndicatorResponse {
            code: i.code.to_string(),
            valid_from: i.valid_from,
            year,
            section: d.section,
            name_de: d.name_de,
            description_de: d.description_de,
            unit: unit_dto(d.unit),
            measure: match d.measure {
                Measure::Stock => MeasureDto::Stock,
                Measure::Flow => MeasureDto::Flow,
                Measure::Report => MeasureDto::Report,
            },
            source: match d.source {
                Source::Traeger => SourceDto::Traeger,
                Source::Ba => SourceDto::Ba,
            },
            reference: ReferenceResponse::of(d.reference, year),
            part_of: d.part_of.map(String::from),
            breakdown_by_reporting_body: d.breakdown_by_reporting_body,
            discontinued: d.discontinued,
            version: i.version,
            created_at: i.created_at.and_utc(),
            updated_at: i.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorPage {
    pub items: Vec<IndicatorResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRequest {
    #[schema(value_type = String, required = true, example = "stock")]
    pub kind: Option<String>,
    /// For `stock`: the reference date, in the year of validity.
    #[schema(value_type = Option<String>, example = "2024-12-31")]
    pub date: Option<String>,
    /// For `flow`: first day of the period, in the year of validity.
    #[schema(value_type = Option<String>)]
    pub from: Option<String>,
    /// For `flow`: last day of the period, in the year of validity.
    #[schema(value_type = Option<String>)]
    pub to: Option<String>,
}

/// The definition of an indicator version.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "section": "§ 2 (3)", "name_de": "Personen in Schuldnerberatung, Bestand zum Stichtag 31.12.",
    "unit": "count", "measure": "stock", "source": "traeger",
    "reference": {"kind": "stock", "date": "2024-12-31"}, "breakdown_by_reporting_body": true
}))]
pub struct IndicatorDefinitionRequest {
    #[schema(value_type = String, required = true, example = "§ 2 (3)")]
    pub section: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name_de: Option<String>,
    pub description_de: Option<String>,
    #[schema(value_type = UnitDto, required = true)]
    pub unit: Option<String>,
    #[schema(value_type = MeasureDto, required = true)]
    pub measure: Option<String>,
    #[schema(value_type = SourceDto, required = true)]
    pub source: Option<String>,
    #[schema(required = true)]
    pub reference: Option<ReferenceRequest>,
    /// Code of the total this is a "davon" part of.
    pub part_of: Option<String>,
    #[serde(default)]
    pub breakdown_by_reporting_body: Option<bool>,
    #[serde(default)]
    pub discontinued: Option<bool>,
}

impl IndicatorDefinitionRequest {
    fn validate(self, year: Option<i32>) -> Result<IndicatorDefinition, Vec<Violation>> {
        IndicatorInput {
            section: self.section,
            name_de: self.name_de,
            description_de: self.description_de,
            unit: self.unit,
            measure: self.measure,
            source: self.source,
            reference: self.reference.map(|r| ReferenceInput {
                kind: r.kind,
                date: r.date,
                from: r.from,
                to: r.to,
            }),
            part_of: self.part_of,
            breakdown_by_reporting_body: self.breakdown_by_reporting_body,
            discontinued: self.discontinued,
        }
        .validate(year)
    }
}

/// A new indicator, or a new version of one from a year on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "debt_counselling_stock", "valid_from": 2024, "section": "§ 2 (3)",
    "name_de": "Personen in Schuldnerberatung, Bestand zum Stichtag 31.12.",
    "unit": "count", "measure": "stock", "source": "traeger",
    "reference": {"kind": "stock", "date": "2024-12-31"}, "breakdown_by_reporting_body": true
}))]
pub struct CreateIndicatorRequest {
    #[schema(value_type = String, required = true, pattern = "^[a-z][a-z0-9_]{1,63}$")]
    pub code: Option<String>,
    #[schema(value_type = i32, required = true, example = 2024)]
    pub valid_from: Option<i64>,
    #[serde(flatten)]
    pub definition: IndicatorDefinitionRequest,
}

/// A required field: absent, or present but malformed, is a violation at `pointer`.
fn required<T>(pointer: &str, parsed: Option<Result<T, String>>) -> Result<T, Violation> {
    match parsed {
        None => Err(Violation::new(pointer, "is required")),
        Some(r) => r.map_err(|m| Violation::new(pointer, m)),
    }
}

impl CreateIndicatorRequest {
    fn validate(self) -> Result<(IndicatorCode, i32, IndicatorDefinition), ApiError> {
        let code = required("/code", self.code.as_deref().map(IndicatorCode::parse));
        let year = required("/valid_from", self.valid_from.map(parse_year));
        let definition = self.definition.validate(year.as_ref().ok().copied());
        match (code, year, definition) {
            (Ok(c), Ok(y), Ok(d)) => Ok((c, y, d)),
            (c, y, d) => Err(ApiError::invalid(
                c.err()
                    .into_iter()
                    .chain(y.err())
                    .chain(d.err().unwrap_or_default())
                    .collect(),
            )),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// The catalogue valid in this year; without it, every version.
    pub year: Option<i64>,
    /// e.g. `§ 2 (3)`
    pub section: Option<String>,
    pub source: Option<SourceDto>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// The year: for reading, the version valid then; for changing, the version's `valid_from`.
    pub year: Option<i64>,
}

fn year_param(year: Option<i64>) -> Result<Option<i32>, ApiError> {
    year.map(parse_year)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("`year`: {e}")))
}

fn code_param(raw: &str) -> Result<IndicatorCode, ApiError> {
    IndicatorCode::parse(raw).map_err(ApiError::BadRequest)
}

fn single(status: StatusCode, i: Indicator, year: Option<i32>) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(i.version)))
        .json(IndicatorResponse::of(i, year))
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
    ),
    security(("bearer" = []))
)]
#[get("/indicators")]
pub async fn list_indicators(
    principal: Principal,
    query: web::Query<IndicatorQuery>,
    db: web::Data<Db>,
) -> Result<web::Json<IndicatorPage>, ApiError> {
    authorize(&principal, Permission::ReadCatalogue)?;
    let q = query.into_inner();
    let year = year_param(q.year)?;
    let limit = pagination::limit(q.limit)?;
    let after = q.after.as_deref().map(decode_cursor).transpose()?;
    let listing = Listing {
        year,
        section: q.section,
        source: q.source.map(|s| match s {
            SourceDto::Traeger => Source::Traeger,
            SourceDto::Ba => Source::Ba,
        }),
    };
    let key = |i: &Indicator| format!("{}@{}", i.code, i.valid_from);
    let (items, more) = page_of(app::list(&db, listing).await?, after.as_deref(), limit, key);
    let next = next_cursor(&items, more, key);
    Ok(web::Json(IndicatorPage {
        items: items
            .into_iter()
            .map(|i| IndicatorResponse::of(i, year))
            .collect(),
        next,
    }))
}

/// Read one indicator
///
/// The version valid in `year`, or the newest version without it.
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, example = "debt_counselling_stock"), YearQuery),
    responses(
        (status = 200, description = "The indicator", body = IndicatorResponse,
            headers(("ETag" = String, description = "Send as If-Match to change this version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/indicators/{code}")]
pub async fn find_indicator(
    principal: Principal,
    code: web::Path<String>,
    query: web::Query<YearQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::ReadCatalogue)?;
    let code = code_param(&code)?;
    let year = year_param(query.year)?;
    let found = app::find(&db, code, year).await?;
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
        (status = 409, response = ConflictResponse),
        (status = 413, response = PayloadTooLargeResponse),
        (status = 415, response = UnsupportedMediaTypeResponse),
        (status = 422, response = Unprocessable),
    ),
    security(("bearer" = []))
)]
#[post("/indicators")]
pub async fn create_indicator(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateIndicatorRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::MaintainCatalogue)?;
    let (code, year, definition) = body.into_inner().validate()?;
    let Outcome { value, replayed } =
        app::create(&db, principal.actor(), code, year, definition, key.0).await?;
    let location = format!(
        "/api/v1/indicators/{}?year={}",
        value.code, value.valid_from
    );
    let mut res = single(StatusCode::CREATED, value, None);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if replayed {
        res.headers_mut().insert(
            IDEMPOTENT_REPLAYED,
            header::HeaderValue::from_static("true"),
        );
    }
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
        (status = 412, response = PreconditionFailedResponse),
        (status = 413, response = PayloadTooLargeResponse),
        (status = 415, response = UnsupportedMediaTypeResponse),
        (status = 422, response = Unprocessable),
        (status = 428, response = PreconditionRequiredResponse),
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
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::MaintainCatalogue)?;
    let code = code_param(&code)?;
    let year = year_param(query.year)?.ok_or_else(|| {
        ApiError::BadRequest("`year` (the version's valid_from) is required".into())
    })?;
    let definition = body
        .into_inner()
        .validate(Some(year))
        .map_err(ApiError::invalid)?;
    let updated = app::update(&db, principal.actor(), code, year, if_match.0, definition).await?;
    Ok(single(StatusCode::OK, updated, None))
}
