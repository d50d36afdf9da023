//! `/api/v1/agreements`: the Zielvereinbarungen, their obligations and signatures.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::headers::{IDEMPOTENT_REPLAYED, IdempotencyKey, IfMatch, etag};
use crate::api::pagination::{self, decode_cursor, next_cursor};
use crate::api::problem::{
    ApiError, BadRequest, ConflictResponse, ForbiddenResponse, NotFound, PayloadTooLargeResponse,
    PreconditionFailedResponse, PreconditionRequiredResponse, Unauthorized, Unprocessable,
    UnsupportedMediaTypeResponse,
};
use crate::app::Clock;
use crate::app::agreements::{self as app, Rollover, SignatureInput};
use crate::app::idempotency::Outcome;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::actor::Role;
use crate::domain::agreement::{
    Agreement, AgreementInput, ObligationInput, Party, Signatory, Unmapped,
};
use crate::domain::indicator::parse_year;
use crate::domain::traeger::Ags;
use crate::domain::{Violation, Violations, parse_text};
use crate::store::Db;
use crate::store::agreements::AgreementFilter;

pub const TAG: &str = "agreements";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_agreements)
        .service(rollover_agreements)
        .service(find_agreement)
        .service(create_agreement)
        .service(update_agreement)
        .service(sign_agreement);
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatusDto {
    Draft,
    SignedByOne,
    InForce,
    Superseded,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKindDto {
    Reporting,
    Targets,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyDto {
    Hmsi,
    Traeger,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientDto {
    Jobcenter,
    Hmsi,
    Traeger,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SectionDto {
    #[schema(example = "§ 2")]
    pub section: String,
    #[schema(
        example = "Beobachtung der sozial-integrativen Eingliederungsleistungen nach § 16a SGB II"
    )]
    pub title_de: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationResponse {
    /// Stable once the agreement is signed; submissions refer to it.
    #[schema(example = "zv-2023-06633-1.3")]
    pub id: String,
    #[schema(example = "§ 2 (3)")]
    pub section: String,
    #[schema(example = "Schuldnerberatung")]
    pub title_de: String,
    /// Who delivers the figures.
    #[schema(value_type = PartyDto)]
    pub delivered_by: String,
    #[schema(value_type = Vec<RecipientDto>)]
    pub recipients: Vec<String>,
    /// Codes of the indicators this obligation asks for.
    pub indicators: Vec<String>,
    /// The deadline printed in the agreement, if any.
    pub due: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TargetDto {
    #[schema(example = "but_beneficiaries")]
    pub indicator: String,
    /// A decimal number as text, at most two decimals.
    #[schema(example = "1250")]
    pub value: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignatoryDto {
    #[schema(example = "Barbara Tiemann")]
    pub name: String,
    #[schema(example = "Abteilungsleiterin III „Arbeit“")]
    pub function: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureResponse {
    pub party: PartyDto,
    pub signatories: Vec<SignatoryDto>,
    #[schema(example = "Wiesbaden")]
    pub place: String,
    pub signed_on: NaiveDate,
    /// `sub` of the token that recorded the signature.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A Zielvereinbarung between HMSI and one Träger for one year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "zv-2023-06633-1", "traeger": "06633", "year": 2023, "kind": "reporting", "status": "signed_by_one",
    "supersedes": null,
    "legal_basis": "§ 48b Abs. 1 Satz 1 Nr. 4 sowie Satz 2 SGB II i. V. m. § 8a Abs. 1 und 2 des Hessischen OFFENSIV-Gesetzes",
    "benefits": "Leistungen nach den §§ 16a, 24 Abs. 3 Satz 1 Nr. 1 und 2 und § 28 SGB II",
    "sections": [{"section": "§ 2", "title_de": "Beobachtung der sozial-integrativen Eingliederungsleistungen nach § 16a SGB II"}],
    "obligations": [{"id": "zv-2023-06633-1.3", "section": "§ 2 (3)", "title_de": "Schuldnerberatung",
        "delivered_by": "traeger", "recipients": ["jobcenter", "hmsi"],
        "indicators": ["debt_counselling_stock", "debt_counselling_stock_sgb2", "debt_counselling_inflow", "debt_counselling_inflow_sgb2"],
        "due": "2024-02-15", "note": "von den Schuldnerberatungen erhoben"}],
    "targets": [],
    "signatures": [{"party": "hmsi", "signatories": [{"name": "Barbara Tiemann", "function": "Abteilungsleiterin III „Arbeit“"}],
        "place": "Wiesbaden", "signed_on": "2023-01-24", "recorded_by": "system:seed", "recorded_at": "2026-11-25T08:00:00Z"}],
    "version": 2, "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:00Z"
}))]
pub struct AgreementResponse {
    #[schema(example = "zv-2023-06633-1")]
    pub id: String,
    #[schema(example = "06633")]
    pub traeger: String,
    pub year: i32,
    #[schema(value_type = AgreementKindDto)]
    pub kind: String,
    #[schema(value_type = AgreementStatusDto)]
    pub status: String,
    /// The signed agreement this one replaces once it is in force.
    pub supersedes: Option<String>,
    pub legal_basis: String,
    pub benefits: String,
    pub sections: Vec<SectionDto>,
    pub obligations: Vec<ObligationResponse>,
    pub targets: Vec<TargetDto>,
    pub signatures: Vec<SignatureResponse>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Agreement> for AgreementResponse {
    fn from(a: Agreement) -> Self {
        AgreementResponse {
            traeger: a.traeger.to_string(),
            year: a.year,
            kind: a.kind.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            supersedes: a.supersedes,
            legal_basis: a.legal_basis,
            benefits: a.benefits,
            sections: a
                .sections
                .into_iter()
                .map(|s| SectionDto {
                    section: s.section,
                    title_de: s.title_de,
                })
                .collect(),
            obligations: a
                .obligations
                .into_iter()
                .map(ObligationResponse::from)
                .collect(),
            targets: a
                .targets
                .into_iter()
                .map(|t| TargetDto {
                    indicator: t.indicator.into(),
                    value: t.value,
                })
                .collect(),
            signatures: a
                .signatures
                .into_iter()
                .map(|s| SignatureResponse {
                    party: match s.party {
                        Party::Hmsi => PartyDto::Hmsi,
                        Party::Traeger => PartyDto::Traeger,
                    },
                    signatories: s
                        .signatories
                        .into_iter()
                        .map(|p| SignatoryDto {
                            name: p.name,
                            function: p.function,
                        })
                        .collect(),
                    place: s.place,
                    signed_on: s.signed_on,
                    recorded_by: s.recorded_by,
                    recorded_at: s.recorded_at.and_utc(),
                })
                .collect(),
            version: a.version,
            created_at: a.created_at.and_utc(),
            updated_at: a.updated_at.and_utc(),
            id: a.id,
        }
    }
}

impl From<crate::domain::agreement::Obligation> for ObligationResponse {
    fn from(o: crate::domain::agreement::Obligation) -> Self {
        let c = o.content;
        ObligationResponse {
            id: o.id,
            section: c.section,
            title_de: c.title_de,
            delivered_by: c.delivered_by.as_str().to_owned(),
            recipients: c.recipients.iter().map(|r| r.as_str().to_owned()).collect(),
            indicators: c.indicators.into_iter().map(String::from).collect(),
            due: c.due,
            note: c.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementPage {
    pub items: Vec<AgreementResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnmappedDto {
    #[schema(example = "§ 2 (4)")]
    pub section: String,
    #[schema(example = "psychosocial_care")]
    pub indicator: String,
}

impl From<Unmapped> for UnmappedDto {
    fn from(u: Unmapped) -> Self {
        UnmappedDto {
            section: u.section,
            indicator: u.indicator.into(),
        }
    }
}

/// A new draft, and what of its source the new year's catalogue could not take.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftResponse {
    pub agreement: AgreementResponse,
    /// Indicators of the copied agreement that are not valid in the new year; they were left
    /// out of the draft.
    pub unmapped: Vec<UnmappedDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"traeger": "06633", "year": 2024, "copy_from": "zv-2023-06633-1"}))]
pub struct CreateAgreementRequest {
    #[schema(value_type = String, required = true, example = "06633")]
    pub traeger: Option<String>,
    #[schema(value_type = i32, required = true, example = 2024)]
    pub year: Option<i64>,
    /// An agreement to copy (due dates move with the year); without it, the year's template.
    /// Copying the current signed agreement of the same year makes a draft that supersedes it.
    pub copy_from: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionRequest {
    #[schema(value_type = String, required = true)]
    pub section: Option<String>,
    #[schema(value_type = String, required = true)]
    pub title_de: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationRequest {
    #[schema(value_type = String, required = true, example = "§ 2 (3)")]
    pub section: Option<String>,
    #[schema(value_type = String, required = true, example = "Schuldnerberatung")]
    pub title_de: Option<String>,
    #[schema(value_type = PartyDto, required = true)]
    pub delivered_by: Option<String>,
    #[schema(value_type = Vec<RecipientDto>)]
    pub recipients: Option<Vec<String>>,
    /// Indicator codes valid in the agreement's year.
    pub indicators: Option<Vec<String>>,
    #[schema(value_type = Option<String>, example = "2024-02-15")]
    pub due: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    #[schema(value_type = String, required = true)]
    pub indicator: Option<String>,
    #[schema(value_type = String, required = true, example = "1250")]
    pub value: Option<String>,
}

/// The whole content of a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "reporting",
    "legal_basis": "§ 48b Abs. 1 Satz 1 Nr. 4 sowie Satz 2 SGB II i. V. m. § 8a Abs. 1 und 2 des Hessischen OFFENSIV-Gesetzes",
    "benefits": "Leistungen nach den §§ 16a, 24 Abs. 3 Satz 1 Nr. 1 und 2 und § 28 SGB II",
    "sections": [{"section": "§ 2", "title_de": "Beobachtung der sozial-integrativen Eingliederungsleistungen nach § 16a SGB II"}],
    "obligations": [{"section": "§ 2 (3)", "title_de": "Schuldnerberatung", "delivered_by": "traeger",
        "recipients": ["jobcenter", "hmsi"],
        "indicators": ["debt_counselling_stock", "debt_counselling_stock_sgb2", "debt_counselling_inflow", "debt_counselling_inflow_sgb2"],
        "due": "2025-02-15"}],
    "targets": []
}))]
pub struct UpdateAgreementRequest {
    #[schema(value_type = AgreementKindDto, required = true)]
    pub kind: Option<String>,
    #[schema(value_type = String, required = true)]
    pub legal_basis: Option<String>,
    #[schema(value_type = String, required = true)]
    pub benefits: Option<String>,
    pub sections: Option<Vec<SectionRequest>>,
    #[schema(required = true)]
    pub obligations: Option<Vec<ObligationRequest>>,
    pub targets: Option<Vec<TargetRequest>>,
}

impl From<UpdateAgreementRequest> for AgreementInput {
    fn from(r: UpdateAgreementRequest) -> Self {
        AgreementInput {
            kind: r.kind,
            legal_basis: r.legal_basis,
            benefits: r.benefits,
            sections: r
                .sections
                .map(|v| v.into_iter().map(|s| (s.section, s.title_de)).collect()),
            obligations: r.obligations.map(|v| {
                v.into_iter()
                    .map(|o| ObligationInput {
                        section: o.section,
                        title_de: o.title_de,
                        delivered_by: o.delivered_by,
                        recipients: o.recipients,
                        indicators: o.indicators,
                        due: o.due,
                        note: o.note,
                    })
                    .collect()
            }),
            targets: r
                .targets
                .map(|v| v.into_iter().map(|t| (t.indicator, t.value)).collect()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatoryRequest {
    #[schema(value_type = String, required = true, example = "Andreas Siebert")]
    pub name: Option<String>,
    #[schema(value_type = String, required = true, example = "Landrat")]
    pub function: Option<String>,
}

/// A party's signature: HMSI signs for the ministry, a Träger token for its own Träger.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "signatories": [{"name": "Andreas Siebert", "function": "Landrat"},
                    {"name": "Silke Engler", "function": "Erste Kreisbeigeordnete"}],
    "place": "Kassel", "signed_on": "2023-02-10"
}))]
pub struct SignatureRequest {
    #[schema(required = true)]
    pub signatories: Option<Vec<SignatoryRequest>>,
    #[schema(value_type = String, required = true, example = "Kassel")]
    pub place: Option<String>,
    /// Not in the future.
    #[schema(value_type = String, required = true, example = "2023-02-10")]
    pub signed_on: Option<String>,
}

impl SignatureRequest {
    fn validate(self) -> Result<SignatureInput, ApiError> {
        let mut v = Violations::default();
        let mut signatories = Vec::new();
        match &self.signatories {
            None => v.push("/signatories", "is required"),
            Some(list) if list.is_empty() => v.push("/signatories", "needs at least one signatory"),
            Some(list) => {
                for (i, s) in list.iter().enumerate() {
                    let name = v
                        .required(&format!("/signatories/{i}/name"), &s.name)
                        .and_then(|n| {
                            v.check(&format!("/signatories/{i}/name"), parse_text(n, 200))
                        });
                    let function = v
                        .required(&format!("/signatories/{i}/function"), &s.function)
                        .and_then(|f| {
                            v.check(&format!("/signatories/{i}/function"), parse_text(f, 200))
                        });
                    if let (Some(name), Some(function)) = (name, function) {
                        signatories.push(Signatory { name, function });
                    }
                }
            }
        }
        let place = v
            .required("/place", &self.place)
            .and_then(|p| v.check("/place", parse_text(p, 200)));
        let signed_on = v.required("/signed_on", &self.signed_on).and_then(|d| {
            v.check(
                "/signed_on",
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| "must be a date YYYY-MM-DD"),
            )
        });
        v.into_result(|| {
            Some(SignatureInput {
                signatories,
                place: place?,
                signed_on: signed_on?,
            })
        })
        .map_err(ApiError::invalid)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from_year": 2023, "to_year": 2024}))]
pub struct RolloverRequest {
    #[schema(value_type = i32, required = true)]
    pub from_year: Option<i64>,
    #[schema(value_type = i32, required = true)]
    pub to_year: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloverCreated {
    pub id: String,
    pub traeger: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloverSkipped {
    pub traeger: String,
    /// The agreement the Träger has for the new year already.
    pub existing: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloverUnmapped {
    pub traeger: String,
    /// The new draft the indicator was left out of.
    pub agreement: String,
    pub section: String,
    pub indicator: String,
}

/// What a rollover did: drafts made, Träger skipped, indicators the new catalogue lacks.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "created": [{"id": "zv-2024-06633-1", "traeger": "06633"}],
    "skipped": [],
    "unmapped": [{"traeger": "06633", "agreement": "zv-2024-06633-1", "section": "§ 2 (4)", "indicator": "psychosocial_care"}]
}))]
pub struct RolloverResponse {
    pub created: Vec<RolloverCreated>,
    pub skipped: Vec<RolloverSkipped>,
    pub unmapped: Vec<RolloverUnmapped>,
}

impl From<Rollover> for RolloverResponse {
    fn from(r: Rollover) -> Self {
        RolloverResponse {
            created: r
                .created
                .into_iter()
                .map(|a| RolloverCreated {
                    id: a.id,
                    traeger: a.traeger.into(),
                })
                .collect(),
            skipped: r
                .skipped
                .into_iter()
                .map(|s| RolloverSkipped {
                    traeger: s.traeger.into(),
                    existing: s.existing,
                })
                .collect(),
            unmapped: r
                .unmapped
                .into_iter()
                .map(|u| RolloverUnmapped {
                    traeger: u.traeger.into(),
                    agreement: u.agreement,
                    section: u.unmapped.section,
                    indicator: u.unmapped.indicator.into(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgreementQuery {
    pub year: Option<i64>,
    /// AGS of the Träger.
    pub traeger: Option<String>,
    pub status: Option<AgreementStatusDto>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

fn single(status: StatusCode, a: Agreement) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(a.version)))
        .json(AgreementResponse::from(a))
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
    ),
    security(("bearer" = []))
)]
#[get("/agreements")]
pub async fn list_agreements(
    principal: Principal,
    query: web::Query<AgreementQuery>,
    db: web::Data<Db>,
) -> Result<web::Json<AgreementPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let q = query.into_inner();
    let filter = AgreementFilter {
        year: q
            .year
            .map(parse_year)
            .transpose()
            .map_err(|e| ApiError::BadRequest(format!("`year`: {e}")))?,
        traeger: q
            .traeger
            .as_deref()
            .map(Ags::parse)
            .transpose()
            .map_err(|e| ApiError::BadRequest(format!("`traeger`: {e}")))?,
        status: q.status.map(|s| match s {
            AgreementStatusDto::Draft => crate::domain::agreement::AgreementStatus::Draft,
            AgreementStatusDto::SignedByOne => {
                crate::domain::agreement::AgreementStatus::SignedByOne
            }
            AgreementStatusDto::InForce => crate::domain::agreement::AgreementStatus::InForce,
            AgreementStatusDto::Superseded => crate::domain::agreement::AgreementStatus::Superseded,
        }),
        only: None,
    };
    let after = q.after.as_deref().map(decode_cursor).transpose()?;
    let limit = pagination::limit(q.limit)?;
    let (items, more) = app::list(&db, visibility, filter, after, limit).await?;
    let next = next_cursor(&items, more, |a| a.id.clone());
    Ok(web::Json(AgreementPage {
        items: items.into_iter().map(AgreementResponse::from).collect(),
        next,
    }))
}

/// Read one agreement
///
/// Another Träger's agreement is answered with 404 for Träger and Jobcenter tokens.
#[utoipa::path(
    tag = TAG,
    params(("id" = String, Path, example = "zv-2023-06633-1")),
    responses(
        (status = 200, description = "The agreement", body = AgreementResponse,
            headers(("ETag" = String, description = "Send as If-Match to edit a draft"))),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/agreements/{id}")]
pub async fn find_agreement(
    principal: Principal,
    id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadAgreements)?;
    let a = app::find(&db, visibility, id.into_inner()).await?;
    Ok(single(StatusCode::OK, a))
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
#[post("/agreements")]
pub async fn create_agreement(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<CreateAgreementRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::DraftAgreements)?;
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
    let Outcome { value, replayed } =
        app::create(&db, principal.actor(), traeger, year, b.copy_from, key.0).await?;
    let location = format!("/api/v1/agreements/{}", value.agreement.id);
    let version = value.agreement.version;
    let mut res = HttpResponse::Created();
    res.insert_header((header::ETAG, etag(version)));
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        res.insert_header((header::LOCATION, v));
    }
    if replayed {
        res.insert_header((IDEMPOTENT_REPLAYED, "true"));
    }
    Ok(res.json(DraftResponse {
        agreement: value.agreement.into(),
        unmapped: value.unmapped.into_iter().map(UnmappedDto::from).collect(),
    }))
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
#[put("/agreements/{id}")]
pub async fn update_agreement(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<UpdateAgreementRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    authorize(&principal, Permission::DraftAgreements)?;
    let updated = app::update(
        &db,
        principal.actor(),
        id.into_inner(),
        if_match.0,
        body.into_inner().into(),
    )
    .await?;
    Ok(single(StatusCode::OK, updated))
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
        (status = 404, response = NotFound),
        (status = 409, response = ConflictResponse),
        (status = 413, response = PayloadTooLargeResponse),
        (status = 415, response = UnsupportedMediaTypeResponse),
        (status = 422, response = Unprocessable),
    ),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/signatures")]
pub async fn sign_agreement(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<SignatureRequest>,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::SignAgreement)?;
    let party = match principal.role {
        Role::Hmsi => Party::Hmsi,
        _ => Party::Traeger,
    };
    let input = body.into_inner().validate()?;
    let signed = app::sign(
        &db,
        principal.actor(),
        visibility,
        id.into_inner(),
        party,
        input,
        **clock,
    )
    .await?;
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = ForbiddenResponse),
        (status = 413, response = PayloadTooLargeResponse),
        (status = 415, response = UnsupportedMediaTypeResponse),
        (status = 422, response = Unprocessable),
    ),
    security(("bearer" = []))
)]
#[post("/agreements/rollover")]
pub async fn rollover_agreements(
    principal: Principal,
    body: web::Json<RolloverRequest>,
    db: web::Data<Db>,
) -> Result<web::Json<RolloverResponse>, ApiError> {
    authorize(&principal, Permission::DraftAgreements)?;
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
    Ok(web::Json(
        app::rollover(&db, principal.actor(), from, to)
            .await?
            .into(),
    ))
}
