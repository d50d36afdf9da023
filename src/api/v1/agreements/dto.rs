//! What responses of `/api/v1/agreements` show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::agreements::Rollover;
use crate::domain::agreement::targets::{Comparison, Operator};
use crate::domain::agreement::{
    Agreement, AgreementKind, AgreementStatus, Obligation, Party, Recipient, Unmapped,
};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SectionDto {
    #[schema(example = "§ 2")]
    pub section: String,
    #[schema(
        example = "Beobachtung der sozial-integrativen Eingliederungsleistungen nach § 16a SGB II"
    )]
    pub title_de: String,
    /// The section's own words beyond its obligations (the Präambel's goals, § 1's commitment,
    /// § 3 (1)–(2), § 5 (2)); null where the section is its obligations.
    pub text_de: Option<String>,
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
    /// The paragraph as the agreement words it.
    #[schema(
        example = "(3) Schuldnerberatung: Der kommunale Träger gewährleistet, dass die Zahl der Menschen in Schuldnerberatung (Bestandszahl zum Stichtag 31.12. und Zugänge im Laufe des Jahres, davon: aus SGB II-Bedarfsgemeinschaften) von den Schuldnerberatungen erhoben und bis zum 15. Februar 2024 an das jeweilige Jobcenter und das HMSI übermittelt wird."
    )]
    pub text_de: Option<String>,
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
#[schema(example = json!({"indicator": "k2", "comparison": "change_vs_previous_year",
                          "operator": "at_least", "value": "-7", "judged_on": "2024-12"}))]
pub struct TargetDto {
    #[schema(example = "k2")]
    pub indicator: String,
    /// A level in the indicator's unit, or a change in percent (negative for a fall), as an
    /// exact decimal string.
    #[schema(example = "-7")]
    pub value: String,
    pub comparison: Comparison,
    pub operator: Operator,
    /// A month (`2024-12`) or the year (`2024`); null: the agreement's year.
    #[schema(example = "2024-12")]
    pub judged_on: Option<String>,
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
                    text_de: s.text_de,
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
                    comparison: t.comparison,
                    operator: t.operator,
                    judged_on: t.judged_on.map(String::from),
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

impl From<Obligation> for ObligationResponse {
    fn from(o: Obligation) -> Self {
        let c = o.content;
        ObligationResponse {
            id: o.id.into(),
            section: c.section,
            title_de: c.title_de,
            text_de: c.text_de,
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
