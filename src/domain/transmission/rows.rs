//! BA's rows as they arrive (CSV or JSON), checked against the transmission and the registry,
//! and compared with the rows held so far.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{BaMarker, DataRow, Served};
use crate::domain::calendar::year_month;
use crate::domain::figure::Figure;
use crate::domain::indicator::{IndicatorCode, Unit};
use crate::domain::traeger::Ags;
use crate::domain::{Violation, Violations};

/// A row as it arrives, with where it stands in the request for error messages.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    /// `/rows/3` in JSON, `/lines/4` in CSV (line 1 being the header).
    pub at: String,
    pub traeger: Option<String>,
    pub indicator: Option<String>,
    pub value: Option<String>,
    /// The Bezugsmonat of a Kennzahl, `2024-07`.
    pub month: Option<String>,
    /// BA's Datenstand (data vintage), `2024-10-15`.
    pub data_as_of: Option<String>,
    pub provisional: bool,
    pub revised: bool,
    /// Where each field stands when it is not `{at}/{field}`: a workbook's cells
    /// (`Tabelle1!A7` for the Träger, `Tabelle1!C2` for the indicator, `Tabelle1!C7` for the
    /// value).
    pub cells: Vec<(&'static str, String)>,
}

impl RawRow {
    /// Where `field` stands, for an error message.
    pub fn place(&self, field: &str) -> String {
        self.cells
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| format!("{}/{field}", self.at), |(_, at)| at.clone())
    }
}

/// Whom rows may name: the Träger by AGS, or its Jobcenter by id (BA's tables list Jobcenter).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub traeger: HashSet<Ags>,
    pub jobcenters: HashMap<String, Ags>,
}

impl Known {
    /// The Träger a row names, by AGS or by Jobcenter id.
    fn traeger(&self, raw: &str) -> Result<Ags, String> {
        if let Some(ags) = self.jobcenters.get(raw) {
            return Ok(ags.clone());
        }
        let ags = Ags::parse(raw)?;
        if self.traeger.contains(&ags) {
            Ok(ags)
        } else {
            Err(format!("there is no Träger {ags}"))
        }
    }
}

/// Reads one cell: a BA marker, or a number in the unit of the indicator. A decimal comma is
/// accepted, and with it points as thousands separators (`1.234,50`).
pub fn parse_cell(raw: &str, unit: Unit) -> Result<(Option<Figure>, Option<BaMarker>), String> {
    let t = raw.trim();
    match t {
        "*" => return Ok((None, Some(BaMarker::Suppressed))),
        "-" => return Ok((None, Some(BaMarker::Nil))),
        "x" | "X" => return Ok((None, Some(BaMarker::NotApplicable))),
        "" => return Err("is empty: give a number or BA's mark (*, -, x)".into()),
        _ => {}
    }
    // Counts and amounts never fall below 0; a Kennzahl may (K1 and K3 are changes).
    if t.starts_with('-') && matches!(unit, Unit::Count | Unit::Eur) {
        return Err(format!("`{t}` is negative"));
    }
    let normalized = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else if is_grouped(t) {
        t.replace('.', "")
    } else {
        t.to_owned()
    };
    Figure::parse(&serde_json::Value::String(normalized), unit)
        .map(|f| (Some(f), None))
        .map_err(|e| match unit {
            Unit::Count => format!(
                "`{t}` is not a whole number ≥ 0 for an indicator counted in persons or cases"
            ),
            Unit::Eur => format!("`{t}` is not an amount ≥ 0 with at most two decimals"),
            _ => e,
        })
}

/// `1.234` or `12.345.678`: points that can only be thousands separators.
fn is_grouped(t: &str) -> bool {
    let mut groups = t.split('.');
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// At most this many errors are listed; the count says how many there were.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// Checks every row against the transmission (of `year`) and the registry, reporting every
/// error.
pub fn validate_rows(
    raw: &[RawRow],
    served: &[Served],
    known: &Known,
    year: i32,
) -> Result<Vec<DataRow>, Vec<Violation>> {
    let mut v = Violations::default();
    let mut rows: Vec<DataRow> = Vec::new();
    let mut seen: HashMap<(Ags, IndicatorCode, Option<u32>), String> = HashMap::new();
    for r in raw {
        if let Some(row) = checked_row(&mut v, r, served, known, year) {
            let key = (row.traeger.clone(), row.indicator.clone(), row.month);
            match seen.get(&key) {
                Some(first) => v.push(
                    r.at.clone(),
                    format!(
                        "Träger {} and `{}`{} are given twice, first at {first}",
                        row.traeger,
                        row.indicator,
                        row.month
                            .map_or_else(String::new, |m| format!(" of {year}-{m:02}")),
                    ),
                ),
                None => {
                    seen.insert(key, r.at.clone());
                    rows.push(row);
                }
            }
        }
        if v.len() >= MAX_LISTED_ERRORS {
            v.push(
                "",
                "too many errors: the first 1000 are listed; correct them and send again",
            );
            break;
        }
    }
    v.into_result(|| Some(rows))
}

/// The Bezugsmonat and Datenstand of a row: a Kennzahl (a percent or ratio, given for each
/// month) needs both, in the transmission's year; a figure of the year has no month.
fn period(
    v: &mut Violations,
    r: &RawRow,
    served_by: Option<&Served>,
    year: i32,
) -> Option<(Option<u32>, Option<NaiveDate>)> {
    let at = |field: &str| r.place(field);
    let monthly = served_by.map(|s| matches!(s.unit, Unit::Percent | Unit::Ratio));
    let month = match (monthly, r.month.as_deref().map(str::trim)) {
        (Some(true), None) => {
            v.push(
                at("month"),
                "is required: a Kennzahl is given for each month",
            );
            None
        }
        (Some(false), Some(_)) => {
            v.push(
                at("month"),
                "must be left out: this figure is for the whole year",
            );
            None
        }
        (_, Some(m)) => v.check(&at("month"), month_of(m, year)).map(Some),
        (_, None) => Some(None),
    };
    let data_as_of = match (monthly, r.data_as_of.as_deref().map(str::trim)) {
        (Some(true), None) => {
            v.push(
                at("data_as_of"),
                "is required: every Kennzahl carries BA's Datenstand",
            );
            None
        }
        (_, Some(d)) => v
            .check(
                &at("data_as_of"),
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| "must be a date YYYY-MM-DD"),
            )
            .map(Some),
        (_, None) => Some(None),
    };
    Some((month?, data_as_of?))
}

/// `2024-07` as the month 7 of `year`.
fn month_of(raw: &str, year: i32) -> Result<u32, String> {
    match year_month(raw) {
        Some((y, m)) if y == year => Ok(m),
        Some(_) => Err(format!("must lie in the transmission's year, {year}")),
        None => Err(format!("`{raw}` is not a month YYYY-MM")),
    }
}

/// One row: a known Träger, an indicator the transmission serves, a cell in its unit, and for a
/// Kennzahl its month and Datenstand.
fn checked_row(
    v: &mut Violations,
    r: &RawRow,
    served: &[Served],
    known: &Known,
    year: i32,
) -> Option<DataRow> {
    let at = |field: &str| r.place(field);
    let traeger = v
        .required(&at("traeger"), &r.traeger)
        .and_then(|t| v.check(&at("traeger"), known.traeger(t.trim())));
    let indicator = v
        .required(&at("indicator"), &r.indicator)
        .and_then(|i| v.check(&at("indicator"), IndicatorCode::parse(i.trim())));
    let served_by = indicator.as_ref().and_then(|code| {
        let s = served.iter().find(|s| &s.code == code);
        if s.is_none() {
            v.push(
                at("indicator"),
                format!("`{code}` is not part of this transmission"),
            );
        }
        s
    });
    let cell = match (served_by, &r.value) {
        (Some(s), Some(raw)) => v.check(&at("value"), parse_cell(raw, s.unit)),
        (_, None) => {
            v.push(at("value"), "is required");
            None
        }
        (None, Some(_)) => None,
    };
    let when = period(v, r, served_by, year);
    let (value, marker) = cell?;
    let (month, data_as_of) = when?;
    Some(DataRow {
        traeger: traeger?,
        indicator: indicator?,
        month,
        value,
        marker,
        provisional: r.provisional,
        revised: r.revised,
        data_as_of,
    })
}

/// What an import does to the rows held so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Rows held so far that the import no longer has.
    pub removed: usize,
}

pub fn summarize(before: &[DataRow], after: &[DataRow]) -> ImportSummary {
    let old: HashMap<_, _> = before.iter().map(|r| (r.key(), r)).collect();
    let mut s = ImportSummary::default();
    for r in after {
        match old.get(&r.key()) {
            None => s.new += 1,
            Some(o) if o.same_content(r) => s.unchanged += 1,
            Some(_) => s.changed += 1,
        }
    }
    let new_keys: HashSet<_> = after.iter().map(DataRow::key).collect();
    s.removed = before
        .iter()
        .filter(|r| !new_keys.contains(&r.key()))
        .count();
    s
}

/// A row that differs between two versions, for the Träger to see what BA corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub traeger: Ags,
    pub indicator: IndicatorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    pub before: Option<DataRow>,
    pub after: Option<DataRow>,
}

pub fn changes(before: &[DataRow], after: &[DataRow]) -> Vec<RowChange> {
    let old: HashMap<_, _> = before.iter().map(|r| (r.key(), r)).collect();
    let new: HashMap<_, _> = after.iter().map(|r| (r.key(), r)).collect();
    let mut out: Vec<RowChange> = after
        .iter()
        .filter(|r| old.get(&r.key()).is_none_or(|o| !o.same_content(r)))
        .map(|r| RowChange {
            traeger: r.traeger.clone(),
            indicator: r.indicator.clone(),
            month: r.month,
            before: old.get(&r.key()).map(|o| (*o).clone()),
            after: Some(r.clone()),
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|r| !new.contains_key(&r.key()))
            .map(|r| RowChange {
                traeger: r.traeger.clone(),
                indicator: r.indicator.clone(),
                month: r.month,
                before: Some(r.clone()),
                after: None,
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_numbers_or_ba_marks_never_zero() {
        assert_eq!(
            parse_cell("*", Unit::Count),
            Ok((None, Some(BaMarker::Suppressed)))
        );
        assert_eq!(
            parse_cell(" - ", Unit::Count),
            Ok((None, Some(BaMarker::Nil)))
        );
        assert_eq!(
            parse_cell("x", Unit::Eur),
            Ok((None, Some(BaMarker::NotApplicable)))
        );
        assert_eq!(
            parse_cell("1.234", Unit::Count),
            Ok((Some(Figure::Count(1234)), None))
        );
        assert_eq!(
            parse_cell("1.234,50", Unit::Eur),
            Ok((Some(Figure::Eur(123_450)), None))
        );
        assert_eq!(
            parse_cell("1234,5", Unit::Eur),
            Ok((Some(Figure::Eur(123_450)), None))
        );
        assert_eq!(
            parse_cell("1234.56", Unit::Eur),
            Ok((Some(Figure::Eur(123_456)), None))
        );
        for bad in ["-3", "", "12,5", "abc", "1.5"] {
            assert!(parse_cell(bad, Unit::Count).is_err(), "{bad}");
        }
    }

    fn row(traeger: &str, value: i64) -> DataRow {
        DataRow {
            traeger: Ags::parse(traeger).unwrap(),
            indicator: IndicatorCode::parse("psychosocial_care").unwrap(),
            value: Some(Figure::Count(value)),
            marker: None,
            provisional: false,
            revised: false,
            month: None,
            data_as_of: None,
        }
    }

    #[test]
    fn summaries_and_changes_compare_by_traeger_and_indicator() {
        let before = vec![row("06633", 10), row("06611", 20), row("06411", 5)];
        let after = vec![row("06633", 10), row("06611", 21), row("06412", 7)];
        let s = summarize(&before, &after);
        assert_eq!((s.new, s.changed, s.unchanged, s.removed), (1, 1, 1, 1));
        let c = changes(&before, &after);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].before.as_ref().unwrap().value, Some(Figure::Count(20)));
    }
}
