//! The catalogue of figures an agreement asks for (Kennzahlen / Merkmale).
//!
//! An indicator version is valid from its year until the next version of the same code, or
//! until a version marks it discontinued. Reference dates are kept as month and day and resolved
//! against the year asked for, so a stock "at 31 December" stays one definition across years.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::audit::Recorded;
use super::{Violation, Violations};

mod reference;

pub use reference::{MonthDay, Reference, ReferenceInput};

pub const MIN_YEAR: i32 = 2005; // SGB II in force since 1 January 2005
pub const MAX_YEAR: i32 = 2100;

string_enum! {
    /// `count`: whole number ≥ 0; `eur`: euro amount ≥ 0 with cents; `percent`: a signed
    /// percentage with up to 4 decimals; `ratio`: a signed quotient with up to 6 decimals;
    /// `text`: a narrative.
    Unit as "UnitDto" { Count = "count", Eur = "eur", Percent = "percent", Ratio = "ratio", Text = "text" }
}

string_enum! {
    /// `stock` at a reference date (Bestand), `flow` over a period (Zugänge), `report` in words,
    /// `quotient` for each month (a Kennzahl of § 48a SGB II).
    Measure as "MeasureDto" { Stock = "stock", Flow = "flow", Report = "report", Quotient = "quotient" }
}

string_enum! {
    /// Who produces the figure: the Träger itself, or the BA statistics through HMSI.
    Source as "SourceDto" { Traeger = "traeger", Ba = "ba" }
}

/// `^[a-z][a-z0-9_]{1,63}$`, e.g. `debt_counselling_stock`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndicatorCode(String);

impl IndicatorCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let b = raw.as_bytes();
        let ok = (2..=64).contains(&b.len())
            && b[0].is_ascii_lowercase()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "`{raw}` is not an indicator code: 2 to 64 of a-z, 0-9 and _, starting with a letter"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IndicatorCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<IndicatorCode> for String {
    fn from(c: IndicatorCode) -> String {
        c.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn parse_year(year: i64) -> Result<i32, String> {
    i32::try_from(year)
        .ok()
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
        .ok_or_else(|| format!("{year} is not a year between {MIN_YEAR} and {MAX_YEAR}"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorDefinition {
    pub section: String,
    pub name_de: String,
    pub description_de: Option<String>,
    pub unit: Unit,
    pub measure: Measure,
    pub source: Source,
    pub reference: Reference,
    /// The total a "davon" figure belongs to; part ≤ total.
    pub part_of: Option<IndicatorCode>,
    pub breakdown_by_reporting_body: bool,
    /// From `valid_from` on, the code is no longer asked for.
    pub discontinued: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub valid_from: i32,
    #[serde(flatten)]
    pub definition: IndicatorDefinition,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A version is recorded as `code@valid_from`, e.g. `debt_counselling_stock@2023`.
impl Recorded for Indicator {
    const ENTITY_TYPE: &'static str = "indicator";
    fn entity_id(&self) -> String {
        format!("{}@{}", self.code, self.valid_from)
    }
}

#[derive(Debug, Clone, Default)]
pub struct IndicatorInput {
    pub section: Option<String>,
    pub name_de: Option<String>,
    pub description_de: Option<String>,
    pub unit: Option<String>,
    pub measure: Option<String>,
    pub source: Option<String>,
    pub reference: Option<ReferenceInput>,
    pub part_of: Option<String>,
    pub breakdown_by_reporting_body: Option<bool>,
    pub discontinued: Option<bool>,
}

/// A stock has a reference date, a flow a period, and a report is written.
fn check_measure(
    v: &mut Violations,
    measure: Option<Measure>,
    reference: Option<Reference>,
    unit: Option<Unit>,
) {
    match (measure, reference) {
        (Some(Measure::Stock), Some(Reference::Flow { .. })) => v.push(
            "/reference/kind",
            "a stock has a reference date: kind `stock`",
        ),
        (Some(Measure::Flow), Some(Reference::Stock { .. })) => v.push(
            "/reference/kind",
            "a flow has a reference period: kind `flow`",
        ),
        (Some(Measure::Quotient), Some(r)) if r != Reference::Monthly => v.push(
            "/reference/kind",
            "a quotient is given for each month: kind `monthly`",
        ),
        (Some(m), Some(Reference::Monthly)) if m != Measure::Quotient => v.push(
            "/reference/kind",
            "only a quotient is given for each month: measure `quotient`",
        ),
        _ => {}
    }
    match (measure, unit) {
        (Some(Measure::Quotient), Some(u)) if !matches!(u, Unit::Percent | Unit::Ratio) => {
            v.push("/unit", "a quotient is a `percent` or a `ratio`");
        }
        (Some(m), Some(Unit::Percent | Unit::Ratio)) if m != Measure::Quotient => {
            v.push(
                "/measure",
                "a percent or a ratio is a quotient: measure `quotient`",
            );
        }
        _ => {}
    }
    if let (Some(Measure::Report), Some(u)) = (measure, unit)
        && u != Unit::Text
    {
        v.push("/unit", "a report is written: unit `text`");
    }
}

impl IndicatorInput {
    /// Checks the fields of one indicator version valid from `year`; the catalogue checks
    /// (`part_of`) follow in [`check_part_of`].
    pub fn validate(&self, year: Option<i32>) -> Result<IndicatorDefinition, Vec<Violation>> {
        let mut v = Violations::default();
        let section = v.text("/section", &self.section, 32);
        let name_de = v.text("/name_de", &self.name_de, 500);
        let description_de = v.optional_text("/description_de", &self.description_de, 4000);
        let unit = v
            .required("/unit", &self.unit)
            .and_then(|u| v.check("/unit", u.parse::<Unit>()));
        let measure = v
            .required("/measure", &self.measure)
            .and_then(|m| v.check("/measure", m.parse::<Measure>()));
        let source = v
            .required("/source", &self.source)
            .and_then(|s| v.check("/source", s.parse::<Source>()));
        let reference = v
            .required("/reference", &self.reference)
            .and_then(|r| r.validate(&mut v, year));
        check_measure(&mut v, measure, reference, unit);
        let part_of = match &self.part_of {
            None => Some(None),
            Some(p) => v.check("/part_of", IndicatorCode::parse(p)).map(Some),
        };
        v.into_result(|| {
            Some(IndicatorDefinition {
                section: section?,
                name_de: name_de?,
                description_de: description_de?,
                unit: unit?,
                measure: measure?,
                source: source?,
                reference: reference?,
                part_of: part_of?,
                breakdown_by_reporting_body: self.breakdown_by_reporting_body.unwrap_or(false),
                discontinued: self.discontinued.unwrap_or(false),
            })
        })
    }
}

/// The catalogue valid in one year: for each code, the version in force then.
pub type Catalogue = HashMap<IndicatorCode, Indicator>;

/// Builds the catalogue of `year` from versions (any order): the latest version per code
/// with `valid_from <= year`, without discontinued codes.
pub fn catalogue_for(year: i32, versions: impl IntoIterator<Item = Indicator>) -> Catalogue {
    let mut latest: Catalogue = HashMap::new();
    for ind in versions.into_iter().filter(|i| i.valid_from <= year) {
        match latest.get(&ind.code) {
            Some(have) if have.valid_from >= ind.valid_from => {}
            _ => {
                latest.insert(ind.code.clone(), ind);
            }
        }
    }
    latest.retain(|_, i| !i.definition.discontinued);
    latest
}

/// A "davon" figure must point to a total valid in the same year, of the same unit, and the
/// chain of totals must not lead back to itself.
pub fn check_part_of(
    code: &IndicatorCode,
    def: &IndicatorDefinition,
    year: i32,
    catalogue: &Catalogue,
) -> Vec<Violation> {
    let Some(total) = &def.part_of else {
        return Vec::new();
    };
    let fail = |m: String| vec![Violation::new("/part_of", m)];
    if total == code {
        return fail("an indicator cannot be part of itself".into());
    }
    let Some(parent) = catalogue.get(total) else {
        return fail(format!("no indicator `{total}` is valid in {year}"));
    };
    if parent.definition.unit != def.unit {
        return fail(format!(
            "`{total}` is measured in {}, this indicator in {}: a part must have the unit of its total",
            parent.definition.unit.as_str(),
            def.unit.as_str()
        ));
    }
    if def.unit == Unit::Text {
        return fail("a text cannot be part of another".into());
    }
    let mut seen = vec![code.clone()];
    let mut next = parent.definition.part_of.clone();
    while let Some(c) = next {
        if seen.contains(&c) {
            return fail(format!(
                "`{total}` is, through its totals, part of `{code}`: a cycle"
            ));
        }
        seen.push(c.clone());
        next = catalogue.get(&c).and_then(|i| i.definition.part_of.clone());
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ind(code: &str, valid_from: i32, part_of: Option<&str>, discontinued: bool) -> Indicator {
        let mut i = crate::domain::testing::count_indicator(code, valid_from, part_of);
        i.definition.discontinued = discontinued;
        i
    }

    #[test]
    fn the_catalogue_of_a_year_takes_the_latest_version_in_force() {
        let versions = vec![
            ind("a_total", 2023, None, false),
            ind("a_total", 2025, None, false),
            ind("b_gone", 2023, None, false),
            ind("b_gone", 2024, None, true),
            ind("c_new", 2026, None, false),
        ];
        let c2024 = catalogue_for(2024, versions.clone());
        assert_eq!(c2024.len(), 1);
        assert_eq!(
            c2024[&IndicatorCode::parse("a_total").unwrap()].valid_from,
            2023
        );
        let c2026 = catalogue_for(2026, versions);
        assert_eq!(
            c2026[&IndicatorCode::parse("a_total").unwrap()].valid_from,
            2025
        );
        assert!(c2026.contains_key(&IndicatorCode::parse("c_new").unwrap()));
    }

    #[test]
    fn part_of_must_exist_match_the_unit_and_not_cycle() {
        let cat = catalogue_for(
            2023,
            vec![
                ind("total", 2023, None, false),
                ind("part", 2023, Some("total"), false),
            ],
        );
        let new_total = ind("total", 2023, Some("part"), false);
        let errors = check_part_of(&new_total.code, &new_total.definition, 2023, &cat);
        assert!(errors[0].message.contains("cycle"), "{errors:?}");
        let missing = ind("xx", 2023, Some("nowhere"), false);
        assert!(!check_part_of(&missing.code, &missing.definition, 2023, &cat).is_empty());
        let mut eur = ind("yy", 2023, Some("total"), false);
        eur.definition.unit = Unit::Eur;
        assert!(
            check_part_of(&eur.code, &eur.definition, 2023, &cat)[0]
                .message
                .contains("unit")
        );
        let ok = ind("part2", 2023, Some("total"), false);
        assert!(check_part_of(&ok.code, &ok.definition, 2023, &cat).is_empty());
    }

    #[test]
    fn month_days_resolve_per_year() {
        let leap = MonthDay::parse("02-29").unwrap();
        assert_eq!(
            leap.in_year(2023),
            NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()
        );
        assert_eq!(
            leap.in_year(2024),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert!(MonthDay::parse("13-01").is_none());
    }
}
