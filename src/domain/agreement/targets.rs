//! Targets on the Kennzahlen of § 48a SGB II, which the Land agrees with each zugelassener
//! kommunaler Träger (§ 48b Abs. 1 Satz 1 Nr. 4 SGB II): "K2 falls by no more than 7.0 %"
//! is `change_vs_previous_year`, `at_least`, `-7.0`; "K3 falls by at least 0.25 %" is
//! `change_vs_previous_year`, `at_most`, `-0.25`.

use serde::{Deserialize, Serialize};

use crate::domain::Violations;
use crate::domain::calendar::year_month;
use crate::domain::figure::Figure;
use crate::domain::indicator::{Catalogue, IndicatorCode, Unit};

string_enum! {
    /// What a target compares: the value itself (`level`), or its change against the same
    /// month (or year) a year before, in percent (`change_vs_previous_year`).
    Comparison as "TargetComparison" { Level = "level", ChangeVsPreviousYear = "change_vs_previous_year" }
}

string_enum! {
    /// Whether the actual value must reach the target from above or below.
    Operator as "TargetOperator" { AtLeast = "at_least", AtMost = "at_most" }
}

fn level() -> Comparison {
    Comparison::Level
}

fn at_least() -> Operator {
    Operator::AtLeast
}

/// When a target is judged: a month of the agreement's year (`2024-12`), or the year as a whole
/// (`2024`, on its last month with figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JudgedOn {
    pub year: i32,
    pub month: Option<u32>,
}

impl JudgedOn {
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.contains('-') {
            let (year, month) = year_month(raw)?;
            return Some(Self {
                year,
                month: Some(month),
            });
        }
        let year = (raw.len() == 4).then(|| raw.parse().ok()).flatten()?;
        Some(Self { year, month: None })
    }
}

impl TryFrom<String> for JudgedOn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("`{s}` is not a month YYYY-MM or a year YYYY"))
    }
}

impl From<JudgedOn> for String {
    fn from(j: JudgedOn) -> String {
        crate::domain::calendar::period(j.year, j.month)
    }
}

/// A numeric target on an indicator, its value as an exact decimal string (no binary floats).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorCode,
    pub value: String,
    #[serde(default = "level")]
    pub comparison: Comparison,
    #[serde(default = "at_least")]
    pub operator: Operator,
    /// None: the agreement's year as a whole.
    #[serde(default)]
    pub judged_on: Option<JudgedOn>,
}

/// A target as a request carries it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TargetInput {
    pub indicator: Option<String>,
    pub value: Option<String>,
    pub comparison: Option<String>,
    pub operator: Option<String>,
    pub judged_on: Option<String>,
}

/// A target's value: a level in the indicator's unit, a change in percent (signed).
fn target_value(raw: &str, unit: Unit, comparison: Comparison) -> Result<String, String> {
    let unit = match (unit, comparison) {
        (Unit::Text, _) => {
            return Err("a target needs an indicator with numbers, not a text".into());
        }
        (_, Comparison::ChangeVsPreviousYear) => Unit::Percent,
        (unit, Comparison::Level) => unit,
    };
    Figure::parse(&serde_json::Value::String(raw.to_owned()), unit).map(|f| f.to_string())
}

/// `judged_on` at `at`, in the agreement's year: Some(None) when absent.
fn read_judged_on(
    v: &mut Violations,
    at: &str,
    raw: Option<&str>,
    year: i32,
) -> Option<Option<JudgedOn>> {
    let Some(raw) = raw else {
        return Some(None);
    };
    let pointer = format!("{at}/judged_on");
    let j = v.check(&pointer, JudgedOn::try_from(raw.to_owned()))?;
    if j.year != year {
        v.push(pointer, format!("must lie in the year of validity, {year}"));
        return None;
    }
    Some(Some(j))
}

impl TargetInput {
    /// The target at `at` (a JSON Pointer), against the catalogue of `year`; None when a
    /// violation was recorded.
    pub fn read(
        &self,
        v: &mut Violations,
        at: &str,
        catalogue: &Catalogue,
        year: i32,
    ) -> Option<Target> {
        let code = v
            .required(&format!("{at}/indicator"), &self.indicator)
            .and_then(|c| v.check(&format!("{at}/indicator"), IndicatorCode::parse(c)));
        let comparison = match &self.comparison {
            None => Some(Comparison::Level),
            Some(c) => v.check(&format!("{at}/comparison"), c.parse::<Comparison>()),
        };
        let operator = match &self.operator {
            None => Some(Operator::AtLeast),
            Some(o) => v.check(&format!("{at}/operator"), o.parse::<Operator>()),
        };
        let judged_on = read_judged_on(v, at, self.judged_on.as_deref(), year);
        let indicator = code.as_ref().and_then(|code| {
            let found = catalogue.get(code);
            if found.is_none() {
                v.push(
                    format!("{at}/indicator"),
                    format!("no indicator `{code}` is valid in {year}"),
                );
            }
            found
        });
        let value = match (indicator, comparison) {
            (Some(ind), Some(comparison)) => v
                .required(&format!("{at}/value"), &self.value)
                .and_then(|x| {
                    v.check(
                        &format!("{at}/value"),
                        target_value(x, ind.definition.unit, comparison),
                    )
                }),
            _ => None,
        };
        Some(Target {
            indicator: code?,
            value: value?,
            comparison: comparison?,
            operator: operator?,
            judged_on: judged_on?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_on_a_month_or_a_year() {
        assert_eq!(
            JudgedOn::parse("2024-12"),
            Some(JudgedOn {
                year: 2024,
                month: Some(12)
            })
        );
        assert_eq!(
            JudgedOn::parse("2024"),
            Some(JudgedOn {
                year: 2024,
                month: None
            })
        );
        for bad in ["2024-13", "2024-1", "24", "2024-12-31", "x"] {
            assert_eq!(JudgedOn::parse(bad), None, "{bad}");
        }
        assert_eq!(
            String::from(JudgedOn {
                year: 2024,
                month: Some(3)
            }),
            "2024-03"
        );
    }

    #[test]
    fn a_change_is_a_signed_percentage_a_level_is_in_the_unit() {
        let change = Comparison::ChangeVsPreviousYear;
        assert_eq!(target_value("-7.0", Unit::Percent, change), Ok("-7".into()));
        assert_eq!(
            target_value("-0.25", Unit::Ratio, change),
            Ok("-0.25".into())
        );
        assert_eq!(
            target_value("1250", Unit::Count, Comparison::Level),
            Ok("1250".into())
        );
        assert_eq!(
            target_value("80000.5", Unit::Eur, Comparison::Level),
            Ok("80000.50".into())
        );
        assert!(target_value("12.5", Unit::Count, Comparison::Level).is_err());
        assert!(target_value("-1", Unit::Count, Comparison::Level).is_err());
        assert!(target_value("5", Unit::Text, Comparison::Level).is_err());
        assert!(target_value("1.234", Unit::Eur, Comparison::Level).is_err());
        assert!(target_value("1e3", Unit::Eur, Comparison::Level).is_err());
    }
}
