//! What requests to `/api/v1/agreements` carry, and how they become the domain's input.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::problem::ApiError;
use crate::domain::Violations;
use crate::domain::agreement::targets::{Comparison, Operator, TargetInput};
use crate::domain::agreement::{
    AgreementInput, AgreementKind, AgreementStatus, ObligationInput, Party, Recipient,
    SectionInput, Signatory, SignatureInput,
};

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
    /// The section's own words beyond its obligations; at most 20 000 characters.
    pub text_de: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationRequest {
    #[schema(value_type = String, required = true, example = "§ 2 (3)")]
    pub section: Option<String>,
    #[schema(value_type = String, required = true, example = "Schuldnerberatung")]
    pub title_de: Option<String>,
    /// The paragraph as the agreement words it; at most 20 000 characters.
    pub text_de: Option<String>,
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
#[schema(example = json!({"indicator": "k2", "comparison": "change_vs_previous_year",
                          "operator": "at_least", "value": "-7.0", "judged_on": "2024-12"}))]
pub struct TargetRequest {
    #[schema(value_type = String, required = true, example = "k2")]
    pub indicator: Option<String>,
    /// A level in the indicator's unit, or for `change_vs_previous_year` a change in percent
    /// (negative for a fall), as a decimal string.
    #[schema(value_type = String, required = true, example = "-7.0")]
    pub value: Option<String>,
    /// Left out: `level`.
    #[schema(value_type = Option<Comparison>)]
    pub comparison: Option<String>,
    /// Left out: `at_least`.
    #[schema(value_type = Option<Operator>)]
    pub operator: Option<String>,
    /// A month (`2024-12`) or the year (`2024`) of the agreement; left out: the year.
    #[schema(example = "2024-12")]
    pub judged_on: Option<String>,
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
            sections: r.sections.map(|v| {
                v.into_iter()
                    .map(|s| SectionInput {
                        section: s.section,
                        title_de: s.title_de,
                        text_de: s.text_de,
                    })
                    .collect()
            }),
            obligations: r.obligations.map(|v| {
                v.into_iter()
                    .map(|o| ObligationInput {
                        section: o.section,
                        title_de: o.title_de,
                        text_de: o.text_de,
                        delivered_by: o.delivered_by,
                        recipients: o.recipients,
                        indicators: o.indicators,
                        due: o.due,
                        note: o.note,
                    })
                    .collect()
            }),
            targets: r.targets.map(|v| {
                v.into_iter()
                    .map(|t| TargetInput {
                        indicator: t.indicator,
                        value: t.value,
                        comparison: t.comparison,
                        operator: t.operator,
                        judged_on: t.judged_on,
                    })
                    .collect()
            }),
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
                    let name = v.text(&format!("/signatories/{i}/name"), &s.name, 200);
                    let function = v.text(&format!("/signatories/{i}/function"), &s.function, 200);
                    if let (Some(name), Some(function)) = (name, function) {
                        signatories.push(Signatory { name, function });
                    }
                }
            }
        }
        let place = v.text("/place", &self.place, 200);
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
