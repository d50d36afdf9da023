//! A fact: one value in long format, one per (year, Träger, indicator, reporting body or total),
//! from a Träger's submission or a BA transmission, as the data warehouse loads it.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::figure::Figure;
use super::transmission::BaMarker;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub year: i32,
    pub traeger: String,
    pub traeger_name: String,
    pub section: String,
    pub indicator: String,
    pub unit: String,
    /// `2023-12-31` for a stock, `2023-01-01/2023-12-31` for a flow.
    pub reference: String,
    /// None for the figure itself, the body's name for a breakdown row.
    pub reporting_body: Option<String>,
    pub value: Option<Figure>,
    pub marker: Option<BaMarker>,
    /// BA marked the value provisional.
    pub provisional: bool,
    /// `traeger` or `ba`.
    pub source: &'static str,
    /// The submission or transmission the value comes from.
    pub origin: String,
    pub revision: i32,
    /// `submitted`, `accepted` (submissions); `received`, `forwarded` (transmissions).
    pub state: &'static str,
    pub late: bool,
    pub changed_at: NaiveDateTime,
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

impl Fact {
    /// SDMX-CSV 2.0 cells. OBS_STATUS from SDMX's CL_OBS_STATUS: `A` normal, `P` provisional,
    /// `C` confidential for BA's suppressed cells, `O` missing for `-`, `M` "cannot exist" for
    /// `x`; OBS_VALUE stays empty for a marker, never 0. ACTION `I`: information, the full set.
    pub fn sdmx_cells(&self) -> [String; 13] {
        let status = match self.marker {
            Some(BaMarker::Suppressed) => "C",
            Some(BaMarker::Nil) => "O",
            Some(BaMarker::NotApplicable) => "M",
            None if self.provisional => "P",
            None => "A",
        };
        [
            "dataflow".to_owned(),
            SDMX_STRUCTURE_ID.to_owned(),
            "I".to_owned(),
            self.year.to_string(),
            self.traeger.clone(),
            self.indicator.clone(),
            self.reporting_body
                .clone()
                .unwrap_or_else(|| "_T".to_owned()),
            self.source.to_owned(),
            self.value
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            status.to_owned(),
            self.unit.to_uppercase(),
            self.reference.clone(),
            self.state.to_owned(),
        ]
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
            changed_at: String,
        }
        let value = self.value.as_ref().map(|f| match f {
            Figure::Count(n) => Value::Number(*n),
            Figure::Eur(_) => Value::Owned(f.to_string()),
            Figure::Text(t) => Value::Text(t),
        });
        let row = Row {
            year: self.year,
            traeger: &self.traeger,
            traeger_name: &self.traeger_name,
            section: &self.section,
            indicator: &self.indicator,
            unit: &self.unit,
            reference: &self.reference,
            reporting_body: self.reporting_body.as_deref(),
            value,
            status: self.marker.map(|m| m.as_str()),
            provisional: self.provisional,
            source: self.source,
            origin: &self.origin,
            revision: self.revision,
            state: self.state,
            late: self.late,
            changed_at: self
                .changed_at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        };
        // Serialising plain fields into a Vec cannot fail.
        let _ = serde_json::to_writer(out, &row);
    }

    /// The CSV cells; with `decimal_comma`, amounts read `1234,50` for German spreadsheets.
    pub fn csv_cells(&self, decimal_comma: bool) -> [String; 16] {
        let value = match (&self.value, self.marker) {
            (_, Some(BaMarker::Suppressed)) => "*".to_owned(),
            (_, Some(BaMarker::Nil)) => "-".to_owned(),
            (_, Some(BaMarker::NotApplicable)) => "x".to_owned(),
            (Some(f @ Figure::Eur(_)), None) if decimal_comma => f.to_string().replace('.', ","),
            (Some(f), None) => f.to_string(),
            (None, None) => String::new(),
        };
        [
            self.year.to_string(),
            self.traeger.clone(),
            self.traeger_name.clone(),
            self.section.clone(),
            self.indicator.clone(),
            self.unit.clone(),
            self.reference.clone(),
            self.reporting_body.clone().unwrap_or_default(),
            value,
            self.marker.map_or("", |m| m.as_str()).to_owned(),
            self.source.to_owned(),
            self.origin.clone(),
            self.revision.to_string(),
            self.state.to_owned(),
            self.late.to_string(),
            self.changed_at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        ]
    }
}
