//! Wire types of `/api/v1/agreements`: what requests carry and responses show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::problem::ApiError;
use crate::app::agreements::Rollover;
use crate::domain::agreement::{
    Agreement, AgreementInput, AgreementKind, AgreementStatus, ObligationInput, Party, Recipient,
    Signatory, SignatureInput, Unmapped,
};
use crate::domain::{Violations, parse_text};

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
    pub delivered_by: Party,
    pub recipients: Vec<Recipient>,
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
    pub party: Party,
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
    pub kind: AgreementKind,
    pub status: AgreementStatus,
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
            kind: a.kind,
            status: a.status,
            supersedes: a.supersedes.map(String::from),
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
                    party: s.party,
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
            id: a.id.into(),
        }
    }
}

impl From<crate::domain::agreement::Obligation> for ObligationResponse {
    fn from(o: crate::domain::agreement::Obligation) -> Self {
        let c = o.content;
        ObligationResponse {
            id: o.id.into(),
            section: c.section,
            title_de: c.title_de,
            delivered_by: c.delivered_by,
            recipients: c.recipients,
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
    #[schema(value_type = Party, required = true)]
    pub delivered_by: Option<String>,
    #[schema(value_type = Vec<Recipient>)]
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
    #[schema(value_type = AgreementKind, required = true)]
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
    pub(super) fn validate(self) -> Result<SignatureInput, ApiError> {
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
                    id: a.id.into(),
                    traeger: a.traeger.into(),
                })
                .collect(),
            skipped: r
                .skipped
                .into_iter()
                .map(|s| RolloverSkipped {
                    traeger: s.traeger.into(),
                    existing: s.existing.into(),
                })
                .collect(),
            unmapped: r
                .unmapped
                .into_iter()
                .map(|u| RolloverUnmapped {
                    traeger: u.traeger.into(),
                    agreement: u.agreement.into(),
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
    pub status: Option<AgreementStatus>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}
