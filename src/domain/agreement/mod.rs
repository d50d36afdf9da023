//! The Zielvereinbarung: who delivers which figure to whom by when, and its signatures.

mod input;
pub mod judging;
mod lifecycle;
pub mod targets;
mod template;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::audit::Recorded;
use super::ids::{AgreementId, ObligationId};
use super::indicator::{Catalogue, IndicatorCode};
use super::traeger::Ags;

pub use input::{AgreementInput, MAX_WORDING_CHARS, ObligationInput, SectionInput, SignatureInput};
pub use lifecycle::{AgreementEvent, AgreementRefusal, successor_slot};
pub use template::{Template, TemplateObligation, TemplateSection};

string_enum! {
    /// `draft` → `signed_by_one` → `in_force`, and `superseded` once a successor is in force.
    AgreementStatus as "AgreementStatusDto" {
        Draft = "draft",
        SignedByOne = "signed_by_one",
        InForce = "in_force",
        Superseded = "superseded",
    }
}

string_enum! {
    /// `reporting`: obligations to produce data (the § 8a OFFENSIV-Gesetz kind of the seed);
    /// `targets`: also numeric targets on indicators (§ 48b Abs. 1 Satz 1 Nr. 4 with a zkT).
    AgreementKind as "AgreementKindDto" { Reporting = "reporting", Targets = "targets" }
}

string_enum! {
    /// The two parties: the ministry and the kommunaler Träger.
    Party as "PartyDto" { Hmsi = "hmsi", Traeger = "traeger" }
}

string_enum! {
    Recipient as "RecipientDto" { Jobcenter = "jobcenter", Hmsi = "hmsi", Traeger = "traeger" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub section: String,
    pub title_de: String,
    /// The section's own words beyond its obligations (the Präambel's goals, § 1's commitment,
    /// § 3 (1)–(2), § 5 (2)), so the agreement reads whole.
    #[serde(default)]
    pub text_de: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationContent {
    pub section: String,
    pub title_de: String,
    /// The paragraph as the agreement words it.
    #[serde(default)]
    pub text_de: Option<String>,
    pub delivered_by: Party,
    pub recipients: Vec<Recipient>,
    pub indicators: Vec<IndicatorCode>,
    pub due: Option<NaiveDate>,
    pub note: Option<String>,
}

pub use targets::Target;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementContent {
    pub kind: AgreementKind,
    pub legal_basis: String,
    pub benefits: String,
    pub sections: Vec<Section>,
    pub obligations: Vec<ObligationContent>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub id: ObligationId,
    #[serde(flatten)]
    pub content: ObligationContent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    pub function: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub party: Party,
    pub signatories: Vec<Signatory>,
    pub place: String,
    pub signed_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: AgreementId,
    pub traeger: Ags,
    pub year: i32,
    pub status: AgreementStatus,
    pub supersedes: Option<AgreementId>,
    pub kind: AgreementKind,
    pub legal_basis: String,
    pub benefits: String,
    pub sections: Vec<Section>,
    pub obligations: Vec<Obligation>,
    pub targets: Vec<Target>,
    pub signatures: Vec<Signature>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Agreement {
    pub fn with_content(mut self, content: AgreementContent) -> Self {
        self.obligations = content
            .obligations
            .into_iter()
            .enumerate()
            .map(|(i, c)| Obligation {
                id: self.id.obligation(i),
                content: c,
            })
            .collect();
        self.kind = content.kind;
        self.legal_basis = content.legal_basis;
        self.benefits = content.benefits;
        self.sections = content.sections;
        self.targets = content.targets;
        self
    }

    pub fn content(&self) -> AgreementContent {
        AgreementContent {
            kind: self.kind,
            legal_basis: self.legal_basis.clone(),
            benefits: self.benefits.clone(),
            sections: self.sections.clone(),
            obligations: self.obligations.iter().map(|o| o.content.clone()).collect(),
            targets: self.targets.clone(),
        }
    }
}

impl Recorded for Agreement {
    const ENTITY_TYPE: &'static str = "agreement";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
}

/// An indicator that the catalogue of the new year does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmapped {
    pub section: String,
    pub indicator: IndicatorCode,
}

/// The same date `years` later; 29 February becomes 28 February in a common year.
pub fn shift_date(date: NaiveDate, years: i32) -> NaiveDate {
    let year = date.year() + years;
    date.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(date)
}

impl AgreementContent {
    /// The content for a year `years` later: due dates move with it, and indicators not in the
    /// new year's catalogue are taken out and reported, never dropped silently.
    pub fn carried_forward(
        &self,
        years: i32,
        catalogue: &Catalogue,
    ) -> (AgreementContent, Vec<Unmapped>) {
        let mut unmapped = Vec::new();
        let mut next = self.clone();
        for o in &mut next.obligations {
            o.due = o.due.map(|d| shift_date(d, years));
            o.indicators.retain(|code| {
                let kept = catalogue.contains_key(code);
                if !kept {
                    unmapped.push(Unmapped {
                        section: o.section.clone(),
                        indicator: code.clone(),
                    });
                }
                kept
            });
        }
        for t in &mut next.targets {
            if let Some(j) = &mut t.judged_on {
                j.year += years;
            }
        }
        next.targets.retain(|t| {
            let kept = catalogue.contains_key(&t.indicator);
            if !kept {
                unmapped.push(Unmapped {
                    section: "targets".into(),
                    indicator: t.indicator.clone(),
                });
            }
            kept
        });
        (next, unmapped)
    }
}

/// Which agreements a list shows; the caller's visibility narrows it further.
#[derive(Debug, Clone, Default)]
pub struct AgreementFilter {
    pub year: Option<i32>,
    pub traeger: Option<Ags>,
    pub status: Option<AgreementStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_move_by_whole_years() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(shift_date(d("2024-02-15"), 1), d("2025-02-15"));
        assert_eq!(shift_date(d("2024-02-29"), 1), d("2025-02-28"));
        assert_eq!(shift_date(d("2025-02-15"), -2), d("2023-02-15"));
    }
}
