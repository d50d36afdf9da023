//! A fact: one value in long format, one per (year, Träger, indicator, reporting body or total),
//! from a Träger's submission or a BA transmission, as the data warehouse loads it.
//!
//! An export holds millions of facts, so what many of them share (where they come from, the
//! Träger, the indicator) is held once behind an `Arc` and a fact carries only its own value.

mod origins;

pub use origins::{RevisionHead, SubmissionHead};

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::calendar::period;
use super::figure::Figure;
use super::indicator::{Indicator, Reference, Source};
use super::transmission::BaMarker;
use crate::sheets::cells;

string_enum! {
    /// Where a value stands: a Träger's figure `submitted` (under review) or `accepted`; BA's
    /// figure `received` by HMSI or `forwarded` to the Träger.
    FactState as "FactState" {
        Submitted = "submitted",
        Accepted = "accepted",
        Received = "received",
        Forwarded = "forwarded",
    }
}

/// What all values of one submission revision or one transmission version share.
#[derive(Debug, PartialEq, Eq)]
pub struct FactOrigin {
    pub year: i32,
    pub source: Source,
    /// The submission or transmission the values come from.
    pub id: String,
    pub revision: i32,
    pub state: FactState,
    pub late: bool,
    /// RFC 3339 with microseconds, formatted once for all the origin's rows.
    pub changed_at: String,
}

impl FactOrigin {
    pub fn new(
        year: i32,
        source: Source,
        id: String,
        revision: i32,
        state: FactState,
        late: bool,
        changed_at: NaiveDateTime,
    ) -> Self {
        let changed_at = changed_at
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        Self {
            year,
            source,
            id,
            revision,
            state,
            late,
            changed_at,
        }
    }
}

/// The Träger a fact belongs to.
#[derive(Debug, PartialEq, Eq)]
pub struct FactTraeger {
    pub ags: String,
    pub name: String,
}

/// An indicator as the facts of one year show it.
#[derive(Debug, PartialEq, Eq)]
pub struct FactIndicator {
    pub code: String,
    pub section: String,
    pub unit: &'static str,
    /// SDMX's UNIT_MEASURE: the unit in capitals.
    pub unit_measure: String,
    /// `2023-12-31` for a stock, `2023-01-01/2023-12-31` for a flow.
    pub reference: String,
}

impl FactIndicator {
    pub fn of(ind: &Indicator, year: i32) -> Self {
        let unit = ind.definition.unit.as_str();
        Self {
            code: ind.code.to_string(),
            section: ind.definition.section.clone(),
            unit,
            unit_measure: unit.to_ascii_uppercase(),
            reference: match ind.definition.reference {
                Reference::Stock { date } => date.in_year(year).to_string(),
                Reference::Flow { from, to } => {
                    format!("{}/{}", from.in_year(year), to.in_year(year))
                }
                // The whole year, month by month.
                Reference::Monthly => format!("{year}-01/{year}-12"),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub origin: Arc<FactOrigin>,
    pub traeger: Arc<FactTraeger>,
    pub indicator: Arc<FactIndicator>,
    /// None for the figure itself, the body's name for a breakdown row.
    pub reporting_body: Option<String>,
    pub value: Option<Figure>,
    pub marker: Option<BaMarker>,
    /// BA marked the value provisional.
    pub provisional: bool,
    /// The Bezugsmonat of a Kennzahl; its reference is then that month.
    pub month: Option<u32>,
}

pub const CSV_COLUMNS: [&str; 16] = [
    "year",
    "traeger",
    "traeger_name",
    "section",
    "indicator",
    "unit",
    "reference",
    "reporting_body",
    "value",
    "status",
    "source",
    "origin",
    "revision",
    "state",
    "late",
    "changed_at",
];

/// SDMX-CSV 2.0: the dataflow these facts belong to, and its columns.
pub const SDMX_STRUCTURE_ID: &str = "HMSI:ZV_FACTS(1.0)";
pub const SDMX_COLUMNS: [&str; 13] = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "TIME_PERIOD",
    "TRAEGER",
    "INDICATOR",
    "REPORTING_BODY",
    "SOURCE",
    "OBS_VALUE",
    "OBS_STATUS",
    "UNIT_MEASURE",
    "REF_PERIOD",
    "STATE",
];

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

impl Fact {
    /// The reference of this value: the indicator's date or period, or a Kennzahl's month
    /// (`2024-07`).
    pub fn reference(&self) -> Cow<'_, str> {
        match self.month {
            Some(m) => Cow::Owned(period(self.origin.year, Some(m))),
            None => Cow::Borrowed(&self.indicator.reference),
        }
    }

    /// The value as a cell: BA's marker in place of a value, an amount or quotient as `1234.50`
    /// (with `decimal_comma`, `1234,50` for German spreadsheets).
    fn value_cell<'a>(&'a self, digits: &'a mut itoa::Buffer, decimal_comma: bool) -> Cow<'a, str> {
        match (&self.value, self.marker) {
            (_, Some(m)) => Cow::Borrowed(m.symbol()),
            (Some(Figure::Count(n)), None) => Cow::Borrowed(digits.format(*n)),
            (Some(Figure::Text(t)), None) => cells::text(t, decimal_comma),
            (Some(f), None) if decimal_comma => Cow::Owned(f.with_decimal_comma()),
            (Some(f), None) => Cow::Owned(f.to_string()),
            (None, None) => Cow::Borrowed(""),
        }
    }

    /// One CSV record, written cell by cell without a String per cell; with `german`, for
    /// German spreadsheets: decimal commas, the AGS kept as text, typed names defused.
    pub fn write_csv<W: std::io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        german: bool,
    ) -> csv::Result<()> {
        let (o, t, i) = (&self.origin, &self.traeger, &self.indicator);
        let (mut year, mut revision, mut digits) = (
            itoa::Buffer::new(),
            itoa::Buffer::new(),
            itoa::Buffer::new(),
        );
        let value = self.value_cell(&mut digits, german);
        let reference = self.reference();
        w.write_record([
            year.format(o.year),
            &cells::identifier(&t.ags, german),
            &cells::text(&t.name, german),
            &i.section,
            &i.code,
            i.unit,
            &reference,
            &cells::text(self.reporting_body.as_deref().unwrap_or(""), german),
            &value,
            self.marker.map_or("", |m| m.as_str()),
            o.source.as_str(),
            &o.id,
            revision.format(o.revision),
            o.state.as_str(),
            bool_text(o.late),
            &o.changed_at,
        ])
    }

    /// One SDMX-CSV 2.0 record. OBS_STATUS from SDMX's CL_OBS_STATUS: `A` normal, `P`
    /// provisional, `C` confidential for BA's suppressed cells, `O` missing for `-`, `M`
    /// "cannot exist" for `x`; OBS_VALUE stays empty for a marker, never 0. ACTION `I`:
    /// information, the full set.
    pub fn write_sdmx<W: std::io::Write>(&self, w: &mut csv::Writer<W>) -> csv::Result<()> {
        let status = match self.marker {
            Some(BaMarker::Suppressed) => "C",
            Some(BaMarker::Nil) => "O",
            Some(BaMarker::NotApplicable) => "M",
            None if self.provisional => "P",
            None => "A",
        };
        let (o, i) = (&self.origin, &self.indicator);
        let (mut year, mut digits) = (itoa::Buffer::new(), itoa::Buffer::new());
        let value = match self.marker {
            Some(_) => Cow::Borrowed(""),
            None => self.value_cell(&mut digits, false),
        };
        let reference = self.reference();
        w.write_record([
            "dataflow",
            SDMX_STRUCTURE_ID,
            "I",
            year.format(o.year),
            &self.traeger.ags,
            &i.code,
            self.reporting_body.as_deref().unwrap_or("_T"),
            o.source.as_str(),
            &value,
            status,
            &i.unit_measure,
            &reference,
            o.state.as_str(),
        ])
    }

    /// As JSON: counts as numbers, amounts and texts as strings, BA's marker as `status`.
    /// Written straight from borrowed fields, without building a JSON tree per row.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Value<'a> {
            Number(i64),
            Text(&'a str),
            Owned(String),
        }
        #[derive(Serialize)]
        struct Row<'a> {
            year: i32,
            traeger: &'a str,
            traeger_name: &'a str,
            section: &'a str,
            indicator: &'a str,
            unit: &'a str,
            reference: &'a str,
            reporting_body: Option<&'a str>,
            value: Option<Value<'a>>,
            status: Option<&'static str>,
            provisional: bool,
            source: &'static str,
            origin: &'a str,
            revision: i32,
            state: &'static str,
            late: bool,
            changed_at: &'a str,
        }
        let value = self.value.as_ref().map(|f| match f {
            Figure::Count(n) => Value::Number(*n),
            Figure::Eur(_) | Figure::Percent(_) | Figure::Ratio(_) => Value::Owned(f.to_string()),
            Figure::Text(t) => Value::Text(t),
        });
        let (o, t, i) = (&self.origin, &self.traeger, &self.indicator);
        let reference = self.reference();
        let row = Row {
            year: o.year,
            traeger: &t.ags,
            traeger_name: &t.name,
            section: &i.section,
            indicator: &i.code,
            unit: i.unit,
            reference: &reference,
            reporting_body: self.reporting_body.as_deref(),
            value,
            status: self.marker.map(|m| m.as_str()),
            provisional: self.provisional,
            source: o.source.as_str(),
            origin: &o.id,
            revision: o.revision,
            state: o.state.as_str(),
            late: o.late,
            changed_at: &o.changed_at,
        };
        // Serialising plain fields into a Vec cannot fail.
        let _ = serde_json::to_writer(out, &row);
    }
}
