//! The figures of a submission: read against the obligation's indicators when drafted,
//! checked whole when submitted, compared with last year's for warnings.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{BreakdownItem, ValueEntry};
use crate::domain::figure::Figure;
use crate::domain::indicator::{Indicator, IndicatorCode, Unit};
use crate::domain::{Violation, Violations};

/// Raw input of one value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ValueInput {
    pub indicator: Option<String>,
    pub value: Option<serde_json::Value>,
    pub breakdown: Option<Vec<(Option<String>, Option<serde_json::Value>)>>,
    pub note: Option<String>,
}

/// Reads values against the indicators of the obligation: formats, foreign or repeated
/// indicators, breakdown bodies. Completeness waits for submission ([`check_complete`]).
pub fn parse_values(
    inputs: &[ValueInput],
    indicators: &[Indicator],
) -> Result<Vec<ValueEntry>, Vec<Violation>> {
    let mut v = Violations::default();
    let mut entries: Vec<ValueEntry> = Vec::new();
    let mut seen: Vec<&IndicatorCode> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = format!("/values/{i}");
        let Some(code) = v
            .required(&format!("{at}/indicator"), &input.indicator)
            .cloned()
        else {
            continue;
        };
        let Some(ind) = indicators.iter().find(|d| d.code.as_str() == code) else {
            v.push(
                format!("{at}/indicator"),
                format!("`{code}` is not asked for by this obligation"),
            );
            continue;
        };
        if seen.contains(&&ind.code) {
            v.push(
                format!("{at}/indicator"),
                format!("`{code}` is given twice"),
            );
            continue;
        }
        seen.push(&ind.code);
        let unit = ind.definition.unit;
        let value = v
            .required(&format!("{at}/value"), &input.value)
            .and_then(|raw| v.check(&format!("{at}/value"), Figure::parse(raw, unit)));
        let items = input.breakdown.as_deref().unwrap_or_default();
        if !items.is_empty() && !ind.definition.breakdown_by_reporting_body {
            v.push(
                format!("{at}/breakdown"),
                format!("`{code}` is not broken down by reporting body"),
            );
        }
        let breakdown = parse_breakdown(&mut v, &at, items, unit);
        let note = v
            .optional_text(&format!("{at}/note"), &input.note, 2000)
            .flatten();
        if let Some(value) = value {
            entries.push(ValueEntry {
                indicator: ind.code.clone(),
                value,
                breakdown,
                note,
            });
        }
    }
    v.into_result(|| Some(entries))
}

/// The figures of a value by reporting body, each body once.
fn parse_breakdown(
    v: &mut Violations,
    at: &str,
    items: &[(Option<String>, Option<serde_json::Value>)],
    unit: Unit,
) -> Vec<BreakdownItem> {
    let mut breakdown: Vec<BreakdownItem> = Vec::new();
    for (j, (body, raw)) in items.iter().enumerate() {
        let bt = format!("{at}/breakdown/{j}");
        let body = v.text(&format!("{bt}/reporting_body"), body, 200);
        let figure = v
            .required(&format!("{bt}/value"), raw)
            .and_then(|r| v.check(&format!("{bt}/value"), Figure::parse(r, unit)));
        match (body, figure) {
            (Some(b), _) if breakdown.iter().any(|x| x.reporting_body == b) => v.push(
                format!("{bt}/reporting_body"),
                format!("`{b}` is listed twice"),
            ),
            (Some(reporting_body), Some(value)) => breakdown.push(BreakdownItem {
                reporting_body,
                value,
            }),
            _ => {}
        }
    }
    breakdown
}

/// The rules a submission must meet: every indicator of the obligation present, a "davon"
/// figure no larger than its total, a breakdown that adds up to its figure.
pub fn check_complete(values: &[ValueEntry], indicators: &[Indicator]) -> Vec<Violation> {
    let mut errors = Vec::new();
    for ind in indicators {
        if !values.iter().any(|e| e.indicator == ind.code) {
            errors.push(Violation::new(
                "/values",
                format!("`{}` is missing", ind.code),
            ));
        }
    }
    let position = |code: &IndicatorCode| values.iter().position(|e| &e.indicator == code);
    for (i, entry) in values.iter().enumerate() {
        let Some(ind) = indicators.iter().find(|d| d.code == entry.indicator) else {
            continue;
        };
        if let (Some(total_code), Some(part)) = (&ind.definition.part_of, entry.value.magnitude())
            && let Some(total) = position(total_code).and_then(|t| values[t].value.magnitude())
            && part > total
        {
            errors.push(Violation::new(
                format!("/values/{i}/value"),
                format!(
                    "{} is more than its total `{total_code}` ({})",
                    entry.value,
                    entry.value.with_magnitude(total)
                ),
            ));
        }
        if !entry.breakdown.is_empty()
            && let Some(figure) = entry.value.magnitude()
        {
            let sum: i64 = entry
                .breakdown
                .iter()
                .filter_map(|b| b.value.magnitude())
                .sum();
            if sum != figure {
                errors.push(Violation::new(
                    format!("/values/{i}/breakdown"),
                    format!(
                        "adds up to {}, not to the figure {}",
                        entry.value.with_magnitude(sum),
                        entry.value
                    ),
                ));
            }
        }
    }
    errors
}

/// A remark that does not block: something worth a second look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub pointer: String,
    pub message: String,
}

/// Compares with last year's accepted figures: a change of more than half, or a zero where
/// there was a value, is more often a typing error than a real change.
pub fn warnings(values: &[ValueEntry], last_year: &HashMap<IndicatorCode, Figure>) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, e) in values.iter().enumerate() {
        let (Some(now), Some(before)) = (
            e.value.magnitude(),
            last_year.get(&e.indicator).and_then(Figure::magnitude),
        ) else {
            continue;
        };
        let pointer = format!("/values/{i}/value");
        if now == 0 && before > 0 {
            out.push(Warning {
                pointer,
                message: format!(
                    "zero, where last year's accepted figure was {}",
                    e.value.with_magnitude(before)
                ),
            });
        } else if before > 0 && (now - before).abs() * 2 > before {
            let pct = (now - before) * 100 / before;
            out.push(Warning {
                pointer,
                message: format!(
                    "{:+}% against last year's accepted figure {}",
                    pct,
                    e.value.with_magnitude(before)
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ind(code: &str, part_of: Option<&str>, breakdown: bool) -> Indicator {
        let mut i = crate::domain::testing::count_indicator(code, 2023, part_of);
        i.definition.breakdown_by_reporting_body = breakdown;
        i
    }

    fn input(code: &str, value: serde_json::Value, breakdown: &[(&str, i64)]) -> ValueInput {
        ValueInput {
            indicator: Some(code.into()),
            value: Some(value),
            breakdown: Some(
                breakdown
                    .iter()
                    .map(|(b, v)| (Some((*b).into()), Some(json!(v))))
                    .collect(),
            ),
            note: None,
        }
    }

    fn debt() -> Vec<Indicator> {
        vec![
            ind("stock", None, true),
            ind("stock_sgb2", Some("stock"), true),
        ]
    }

    #[test]
    fn a_part_larger_than_its_total_and_a_breakdown_that_does_not_add_up_are_refused() {
        let values = parse_values(
            &[
                input("stock", json!(100), &[("A", 60), ("B", 30)]),
                input("stock_sgb2", json!(120), &[]),
            ],
            &debt(),
        )
        .unwrap();
        let errors = check_complete(&values, &debt());
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/values/0/breakdown", "/values/1/value"]);
    }

    #[test]
    fn shape_errors_are_reported_together() {
        let errors = parse_values(
            &[
                input("stock", json!(-1), &[("A", 1), ("A", 2)]),
                input("foreign", json!(1), &[]),
                input("stock", json!(5), &[]),
            ],
            &debt(),
        )
        .unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/values/0/value",
                "/values/0/breakdown/1/reporting_body",
                "/values/1/indicator",
                "/values/2/indicator"
            ]
        );
    }

    #[test]
    fn missing_indicators_are_named() {
        let values = parse_values(&[input("stock", json!(5), &[])], &debt()).unwrap();
        assert_eq!(
            check_complete(&values, &debt())[0].message,
            "`stock_sgb2` is missing"
        );
    }

    #[test]
    fn big_changes_and_new_zeros_are_flagged_but_allowed() {
        let values = parse_values(
            &[
                input("stock", json!(0), &[]),
                input("stock_sgb2", json!(160), &[]),
            ],
            &debt(),
        )
        .unwrap();
        let last: HashMap<_, _> = [
            (IndicatorCode::parse("stock").unwrap(), Figure::Count(40)),
            (
                IndicatorCode::parse("stock_sgb2").unwrap(),
                Figure::Count(100),
            ),
        ]
        .into();
        let w = warnings(&values, &last);
        assert_eq!(w.len(), 2);
        assert!(w[0].message.starts_with("zero"));
        assert!(w[1].message.starts_with("+60%"));
    }
}
