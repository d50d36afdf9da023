//! An agreement's content as a request carries it, checked against the catalogue of its year.

use chrono::NaiveDate;

use super::targets::TargetInput;
use super::{
    AgreementContent, AgreementKind, ObligationContent, Party, Recipient, Section, Signatory,
    Target,
};
use crate::domain::indicator::{Catalogue, IndicatorCode};
use crate::domain::traeger::JobcenterForm;
use crate::domain::{Violation, Violations};

/// Raw input of an agreement's content.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    pub kind: Option<String>,
    pub legal_basis: Option<String>,
    pub benefits: Option<String>,
    pub sections: Option<Vec<SectionInput>>,
    pub obligations: Option<Vec<ObligationInput>>,
    pub targets: Option<Vec<TargetInput>>,
}

#[derive(Debug, Clone, Default)]
pub struct SectionInput {
    pub section: Option<String>,
    pub title_de: Option<String>,
    pub text_de: Option<String>,
}

/// The longest wording of a section or paragraph (the Präambel has about 2 700 characters).
pub const MAX_WORDING_CHARS: usize = 20_000;

#[derive(Debug, Clone, Default)]
pub struct ObligationInput {
    pub section: Option<String>,
    pub title_de: Option<String>,
    pub text_de: Option<String>,
    pub delivered_by: Option<String>,
    pub recipients: Option<Vec<String>>,
    pub indicators: Option<Vec<String>>,
    pub due: Option<String>,
    pub note: Option<String>,
}

impl ObligationInput {
    fn validate(
        &self,
        v: &mut Violations,
        at: &str,
        catalogue: &Catalogue,
        year: i32,
    ) -> Option<ObligationContent> {
        let section = v.text(&format!("{at}/section"), &self.section, 32);
        let title_de = v.text(&format!("{at}/title_de"), &self.title_de, 500);
        let text_de = v.optional_text(&format!("{at}/text_de"), &self.text_de, MAX_WORDING_CHARS);
        let delivered_by = v
            .required(&format!("{at}/delivered_by"), &self.delivered_by)
            .and_then(|d| v.check(&format!("{at}/delivered_by"), d.parse::<Party>()));
        let mut recipients = Vec::new();
        for (i, r) in self.recipients.iter().flatten().enumerate() {
            let pointer = format!("{at}/recipients/{i}");
            match r.parse::<Recipient>() {
                Ok(r) if recipients.contains(&r) => v.push(pointer, "is listed twice"),
                Ok(r) => recipients.push(r),
                Err(e) => v.push(pointer, e),
            }
        }
        let mut indicators: Vec<IndicatorCode> = Vec::new();
        for (i, code) in self.indicators.iter().flatten().enumerate() {
            let pointer = format!("{at}/indicators/{i}");
            match IndicatorCode::parse(code) {
                Ok(c) if indicators.contains(&c) => v.push(pointer, "is listed twice"),
                Ok(c) if !catalogue.contains_key(&c) => {
                    v.push(pointer, format!("no indicator `{c}` is valid in {year}"))
                }
                Ok(c) => indicators.push(c),
                Err(e) => v.push(pointer, e),
            }
        }
        let due = match &self.due {
            None => Some(None),
            Some(d) => v
                .check(
                    &format!("{at}/due"),
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| "must be a date YYYY-MM-DD"),
                )
                .map(Some),
        };
        let note = v.optional_text(&format!("{at}/note"), &self.note, 2000);
        Some(ObligationContent {
            section: section?,
            title_de: title_de?,
            text_de: text_de?,
            delivered_by: delivered_by?,
            recipients,
            indicators,
            due: due?,
            note: note?,
        })
    }
}

impl AgreementInput {
    fn sections(&self, v: &mut Violations) -> Vec<Section> {
        let mut sections = Vec::new();
        for (i, input) in self.sections.iter().flatten().enumerate() {
            let at = format!("/sections/{i}");
            let s = v.text(&format!("{at}/section"), &input.section, 32);
            let t = v.text(&format!("{at}/title_de"), &input.title_de, 500);
            let w = v.optional_text(&format!("{at}/text_de"), &input.text_de, MAX_WORDING_CHARS);
            if let (Some(section), Some(title_de), Some(text_de)) = (s, t, w) {
                sections.push(Section {
                    section,
                    title_de,
                    text_de,
                });
            }
        }
        sections
    }

    /// Numeric targets, each on an indicator valid in `year`, once.
    fn targets(&self, v: &mut Violations, catalogue: &Catalogue, year: i32) -> Vec<Target> {
        let mut targets: Vec<Target> = Vec::new();
        for (i, input) in self.targets.iter().flatten().enumerate() {
            let at = format!("/targets/{i}");
            let Some(target) = input.read(v, &at, catalogue, year) else {
                continue;
            };
            if targets.iter().any(|t| t.indicator == target.indicator) {
                v.push(format!("{at}/indicator"), "has a target already");
                continue;
            }
            targets.push(target);
        }
        targets
    }

    /// Checks the content against the catalogue valid in `year`, for a Träger whose Jobcenter
    /// has `form`, reporting every problem.
    pub fn validate(
        &self,
        catalogue: &Catalogue,
        year: i32,
        form: JobcenterForm,
    ) -> Result<AgreementContent, Vec<Violation>> {
        let mut v = Violations::default();
        let kind = v
            .required("/kind", &self.kind)
            .and_then(|k| v.check("/kind", k.parse::<AgreementKind>()));
        let legal_basis = v.text("/legal_basis", &self.legal_basis, 1000);
        let benefits = v.text("/benefits", &self.benefits, 1000);
        let sections = self.sections(&mut v);
        let obligations: Vec<_> = self
            .obligations
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, o)| o.validate(&mut v, &format!("/obligations/{i}"), catalogue, year))
            .collect();
        let targets = self.targets(&mut v, catalogue, year);
        // § 48b Abs. 1 Satz 1 Nr. 4 SGB II: targets on the Kennzahlen are agreed with the
        // zugelassene kommunale Träger; a gE's targets are agreed by BA and the ministry.
        if kind == Some(AgreementKind::Targets) && form == JobcenterForm::Ge {
            v.push(
                "/kind",
                "targets are agreed with a zugelassener kommunaler Träger (§ 48b Abs. 1 Satz 1 Nr. 4 SGB II); this Träger's Jobcenter is a gemeinsame Einrichtung",
            );
        }
        if kind == Some(AgreementKind::Reporting) && !targets.is_empty() {
            v.push(
                "/targets",
                "a `reporting` agreement has no targets; use kind `targets`",
            );
        }
        if self.obligations.is_none() {
            v.push("/obligations", "is required");
        }
        v.into_result(|| {
            Some(AgreementContent {
                kind: kind?,
                legal_basis: legal_basis?,
                benefits: benefits?,
                sections,
                obligations: obligations.into_iter().collect::<Option<Vec<_>>>()?,
                targets,
            })
        })
    }
}

/// What a party's signature says; who recorded it, and when, comes from the stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInput {
    pub signatories: Vec<Signatory>,
    pub place: String,
    pub signed_on: NaiveDate,
}
