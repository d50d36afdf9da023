//! The Zielvereinbarung: who delivers which figure to whom by when, and its signatures.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::indicator::{Catalogue, IndicatorCode, Unit};
use super::traeger::Ags;
use super::{Violation, Violations, parse_text};

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationContent {
    pub section: String,
    pub title_de: String,
    pub delivered_by: Party,
    pub recipients: Vec<Recipient>,
    pub indicators: Vec<IndicatorCode>,
    pub due: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A numeric target on an indicator, as a decimal string (no binary floats).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorCode,
    pub value: String,
}

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
    pub id: String,
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
    pub id: String,
    pub traeger: Ags,
    pub year: i32,
    pub status: AgreementStatus,
    pub supersedes: Option<String>,
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

/// Why a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignRefusal {
    AlreadySigned(Party),
    Superseded,
}

impl Agreement {
    /// The id of the `n`th agreement of a Träger for a year, e.g. `zv-2023-06633-1`.
    pub fn make_id(year: i32, traeger: &Ags, n: i64) -> String {
        format!("zv-{year}-{traeger}-{n}")
    }

    /// Obligation ids are stable once signed: agreement id and position, e.g. `zv-2023-06633-1.3`.
    pub fn obligation_id(agreement_id: &str, position: usize) -> String {
        format!("{agreement_id}.{}", position + 1)
    }

    pub fn with_content(mut self, content: AgreementContent) -> Self {
        self.obligations = content
            .obligations
            .into_iter()
            .enumerate()
            .map(|(i, c)| Obligation {
                id: Self::obligation_id(&self.id, i),
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

    /// Only a draft without any signature may change; a signed text is what both agreed to.
    pub fn editable(&self) -> bool {
        self.status == AgreementStatus::Draft && self.signatures.is_empty()
    }

    /// The status after `party` signs: the second signature puts the agreement in force.
    pub fn status_after_signing(&self, party: Party) -> Result<AgreementStatus, SignRefusal> {
        if self.status == AgreementStatus::Superseded {
            return Err(SignRefusal::Superseded);
        }
        if self.signatures.iter().any(|s| s.party == party) {
            return Err(SignRefusal::AlreadySigned(party));
        }
        Ok(if self.signatures.is_empty() {
            AgreementStatus::SignedByOne
        } else {
            AgreementStatus::InForce
        })
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

/// Raw input of an agreement's content.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    pub kind: Option<String>,
    pub legal_basis: Option<String>,
    pub benefits: Option<String>,
    pub sections: Option<Vec<(Option<String>, Option<String>)>>,
    pub obligations: Option<Vec<ObligationInput>>,
    pub targets: Option<Vec<(Option<String>, Option<String>)>>,
}

#[derive(Debug, Clone, Default)]
pub struct ObligationInput {
    pub section: Option<String>,
    pub title_de: Option<String>,
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

fn text_field(
    v: &mut Violations,
    pointer: &str,
    raw: &Option<String>,
    max: usize,
) -> Option<String> {
    v.required(pointer, raw)
        .and_then(|s| v.check(pointer, parse_text(s, max)))
}

impl ObligationInput {
    fn validate(
        &self,
        v: &mut Violations,
        at: &str,
        catalogue: &Catalogue,
        year: i32,
    ) -> Option<ObligationContent> {
        let section = text_field(v, &format!("{at}/section"), &self.section, 32);
        let title_de = text_field(v, &format!("{at}/title_de"), &self.title_de, 500);
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
        let note = match &self.note {
            None => Some(None),
            Some(n) => v
                .check(&format!("{at}/note"), parse_text(n, 2000))
                .map(Some),
        };
        Some(ObligationContent {
            section: section?,
            title_de: title_de?,
            delivered_by: delivered_by?,
            recipients,
            indicators,
            due: due?,
            note: note?,
        })
    }
}

impl AgreementInput {
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
        let legal_basis = text_field(&mut v, "/legal_basis", &self.legal_basis, 1000);
        let benefits = text_field(&mut v, "/benefits", &self.benefits, 1000);
        let mut sections = Vec::new();
        for (i, (section, title)) in self.sections.iter().flatten().enumerate() {
            let s = text_field(&mut v, &format!("/sections/{i}/section"), section, 32);
            let t = text_field(&mut v, &format!("/sections/{i}/title_de"), title, 500);
            if let (Some(section), Some(title_de)) = (s, t) {
                sections.push(Section { section, title_de });
            }
        }
        let obligations: Vec<_> = self
            .obligations
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, o)| o.validate(&mut v, &format!("/obligations/{i}"), catalogue, year))
            .collect();
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
