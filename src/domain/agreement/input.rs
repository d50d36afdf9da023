//! An agreement's content as a request carries it, checked against the catalogue of its year.

use chrono::NaiveDate;

use super::{
    AgreementContent, AgreementKind, ObligationContent, Party, Recipient, Section, Signatory,
    Target,
};
use crate::domain::indicator::{Catalogue, IndicatorCode, Unit};
use crate::domain::{Violation, Violations};

/// Raw input of an agreement's content.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    pub kind: Option<String>,
    pub legal_basis: Option<String>,
    pub benefits: Option<String>,
    pub sections: Option<Vec<SectionInput>>,
    pub obligations: Option<Vec<ObligationInput>>,
    pub targets: Option<Vec<(Option<String>, Option<String>)>>,
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

/// `12`, `12.5` or `12.50`: non-negative, at most two decimals.
fn parse_target_value(raw: &str, unit: Unit) -> Result<String, String> {
    let (int, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok =
        digits(int) && int.len() <= 15 && (frac.is_empty() || (digits(frac) && frac.len() <= 2));
    match unit {
        _ if !ok => Err(format!(
            "`{raw}` is not a non-negative number with at most two decimals, e.g. 1250.50"
        )),
        Unit::Count if !frac.is_empty() => Err(format!("`{raw}` is not a whole number")),
        Unit::Text => Err("a target needs an indicator of unit count or eur".into()),
        _ => Ok(raw.to_owned()),
    }
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
        for (i, (indicator, value)) in self.targets.iter().flatten().enumerate() {
            let at = format!("/targets/{i}");
            let code = v
                .required(&format!("{at}/indicator"), indicator)
                .and_then(|c| v.check(&format!("{at}/indicator"), IndicatorCode::parse(c)));
            let Some(code) = code else { continue };
            let Some(ind) = catalogue.get(&code) else {
                v.push(
                    format!("{at}/indicator"),
                    format!("no indicator `{code}` is valid in {year}"),
                );
                continue;
            };
            if targets.iter().any(|t| t.indicator == code) {
                v.push(format!("{at}/indicator"), "has a target already");
                continue;
            }
            let value = v.required(&format!("{at}/value"), value).and_then(|x| {
                v.check(
                    &format!("{at}/value"),
                    parse_target_value(x, ind.definition.unit),
                )
            });
            if let Some(value) = value {
                targets.push(Target {
                    indicator: code,
                    value,
                });
            }
        }
        targets
    }

    /// Checks the content against the catalogue valid in `year`, reporting every problem.
    pub fn validate(
        &self,
        catalogue: &Catalogue,
        year: i32,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_values_are_decimal_strings() {
        assert!(parse_target_value("1250.50", Unit::Eur).is_ok());
        assert!(parse_target_value("12", Unit::Count).is_ok());
        assert!(parse_target_value("12.5", Unit::Count).is_err());
        assert!(parse_target_value("-1", Unit::Eur).is_err());
        assert!(parse_target_value("1.234", Unit::Eur).is_err());
        assert!(parse_target_value("1e3", Unit::Eur).is_err());
    }
}
