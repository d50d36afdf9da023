//! BA-statistics transmissions: HMSI asks the statistics of the Bundesagentur für Arbeit for
//! figures (§§ 2 (2), (4), (5), 3 (3), 4 of the agreement), records what BA delivered, and
//! forwards to each Träger its own rows.
//!
//! BA suppresses small numbers (§ 281 Abs. 3 SGB III, § 16 BStatG): a cell is a number or a
//! marker, and a marker is never turned into zero.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::figure::Figure;
use super::indicator::{IndicatorCode, Unit};
use super::traeger::Ags;
use super::{Violation, Violations};

string_enum! {
    /// BA's marks: `*` suppressed for confidentiality, `-` nothing there, `x` not applicable.
    BaMarker as "BaMarker" { Suppressed = "suppressed", Nil = "nil", NotApplicable = "not_applicable" }
}

impl BaMarker {
    /// The mark as BA prints it in its tables.
    pub fn symbol(self) -> &'static str {
        match self {
            BaMarker::Suppressed => "*",
            BaMarker::Nil => "-",
            BaMarker::NotApplicable => "x",
        }
    }
}

string_enum! {
    TransmissionStatus as "TransmissionStatusDto" { Requested = "requested", Received = "received", Forwarded = "forwarded" }
}

/// One Träger's value of one indicator, as BA delivered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRow {
    pub traeger: Ags,
    pub indicator: IndicatorCode,
    pub value: Option<Figure>,
    pub marker: Option<BaMarker>,
    pub provisional: bool,
    pub revised: bool,
}

impl DataRow {
    fn key(&self) -> (&Ags, &IndicatorCode) {
        (&self.traeger, &self.indicator)
    }

    fn same_content(&self, other: &DataRow) -> bool {
        self.value == other.value
            && self.marker == other.marker
            && self.provisional == other.provisional
            && self.revised == other.revised
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub traeger: Ags,
    pub acknowledged_by: String,
    pub acknowledged_at: NaiveDateTime,
}

/// One delivery of data by BA; a correction after forwarding is a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataVersion {
    pub number: i32,
    pub reason: Option<String>,
    pub received_by: String,
    pub received_at: NaiveDateTime,
    pub forwarded_by: Option<String>,
    pub forwarded_at: Option<NaiveDateTime>,
    pub rows: Vec<DataRow>,
    pub acknowledgements: Vec<Acknowledgement>,
}

/// An indicator a transmission serves, and whether a Träger receives it: § 4 costs stay
/// with HMSI and are never forwarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    pub code: IndicatorCode,
    pub section: String,
    pub unit: Unit,
    pub forwardable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transmission {
    pub id: String,
    pub year: i32,
    pub ba_reference: String,
    pub requested_on: NaiveDate,
    pub note: Option<String>,
    pub indicators: Vec<Served>,
    /// Oldest first; empty until BA delivered.
    pub versions: Vec<DataVersion>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Transmission {
    pub fn make_id(year: i32, n: i64) -> String {
        format!("ba-{year}-{n}")
    }

    pub fn status(&self) -> TransmissionStatus {
        match self.versions.last() {
            None => TransmissionStatus::Requested,
            Some(v) if v.forwarded_at.is_some() => TransmissionStatus::Forwarded,
            Some(_) => TransmissionStatus::Received,
        }
    }

    pub fn current(&self) -> Option<&DataVersion> {
        self.versions.last()
    }

    /// The newest version the Träger have received.
    pub fn forwarded(&self) -> Option<&DataVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.forwarded_at.is_some())
    }

    fn forwardable(&self) -> HashSet<&IndicatorCode> {
        self.indicators
            .iter()
            .filter(|i| i.forwardable)
            .map(|i| &i.code)
            .collect()
    }

    /// What one Träger may see of a version: its own rows of forwardable indicators.
    pub fn rows_for(&self, version: &DataVersion, traeger: &Ags) -> Vec<DataRow> {
        let forwardable = self.forwardable();
        version
            .rows
            .iter()
            .filter(|r| &r.traeger == traeger && forwardable.contains(&r.indicator))
            .cloned()
            .collect()
    }
}

/// A row as it arrives, with where it stands in the request for error messages.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    /// `/rows/3` in JSON, `/lines/4` in CSV (line 1 being the header).
    pub at: String,
    pub traeger: Option<String>,
    pub indicator: Option<String>,
    pub value: Option<String>,
    pub provisional: bool,
    pub revised: bool,
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
    if t.starts_with('-') {
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
        .map_err(|_| match unit {
            Unit::Count => format!(
                "`{t}` is not a whole number ≥ 0 for an indicator counted in persons or cases"
            ),
            _ => format!("`{t}` is not an amount ≥ 0 with at most two decimals"),
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

/// Checks every row against the transmission and the registry, reporting every error.
pub fn validate_rows(
    raw: &[RawRow],
    served: &[Served],
    known_traeger: &HashSet<Ags>,
) -> Result<Vec<DataRow>, Vec<Violation>> {
    let mut v = Violations::default();
    let mut errors = 0usize;
    let mut rows: Vec<DataRow> = Vec::new();
    let mut seen: HashMap<(Ags, IndicatorCode), String> = HashMap::new();
    for r in raw {
        let before = v.len();
        let traeger = v
            .required(&format!("{}/traeger", r.at), &r.traeger)
            .and_then(|t| v.check(&format!("{}/traeger", r.at), Ags::parse(t.trim())));
        let traeger = traeger.filter(|t| {
            let known = known_traeger.contains(t);
            if !known {
                v.push(
                    format!("{}/traeger", r.at),
                    format!("there is no Träger {t}"),
                );
            }
            known
        });
        let indicator = v
            .required(&format!("{}/indicator", r.at), &r.indicator)
            .and_then(|i| {
                v.check(
                    &format!("{}/indicator", r.at),
                    IndicatorCode::parse(i.trim()),
                )
            });
        let served_by = indicator.as_ref().and_then(|code| {
            let s = served.iter().find(|s| &s.code == code);
            if s.is_none() {
                v.push(
                    format!("{}/indicator", r.at),
                    format!("`{code}` is not part of this transmission"),
                );
            }
            s
        });
        let cell = match (served_by, &r.value) {
            (Some(s), Some(raw)) => v.check(&format!("{}/value", r.at), parse_cell(raw, s.unit)),
            (_, None) => {
                v.push(format!("{}/value", r.at), "is required");
                None
            }
            (None, Some(_)) => None,
        };
        if let (Some(t), Some(code), Some((value, marker))) = (traeger, indicator, cell) {
            let key = (t.clone(), code.clone());
            if let Some(first) = seen.get(&key) {
                v.push(
                    r.at.clone(),
                    format!("Träger {t} and `{code}` are given twice, first at {first}"),
                );
            } else {
                seen.insert(key, r.at.clone());
                rows.push(DataRow {
                    traeger: t,
                    indicator: code,
                    value,
                    marker,
                    provisional: r.provisional,
                    revised: r.revised,
                });
            }
        }
        errors += v.len() - before;
        if errors >= MAX_LISTED_ERRORS {
            v.push(
                "",
                "too many errors: the first 1000 are listed; correct them and send again",
            );
            break;
        }
    }
    v.into_result(|| Some(rows))
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
