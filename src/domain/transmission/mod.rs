//! BA-statistics transmissions: HMSI asks the statistics of the Bundesagentur für Arbeit for
//! figures (§§ 2 (2), (4), (5), 3 (3), 4 of the agreement), records what BA delivered, and
//! forwards to each Träger its own rows.
//!
//! BA suppresses small numbers (§ 281 Abs. 3 SGB III, § 16 BStatG): a cell is a number or a
//! marker, and a marker is never turned into zero.

mod lifecycle;
mod request;
mod rows;

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::actor::Visibility;
use super::audit::Recorded;
use super::figure::Figure;
use super::ids::TransmissionId;
use super::indicator::{IndicatorCode, Unit};
use super::traeger::Ags;

pub use lifecycle::{TransmissionEvent, TransmissionRefusal, TransmissionTransition};
pub use request::{BaOffer, RequestInput, TransmissionRequest};
pub use rows::{
    ImportSummary, Known, MAX_LISTED_ERRORS, RawRow, RowChange, changes, parse_cell, summarize,
    validate_rows,
};

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

/// A cell as BA's tables and spreadsheets show it: BA's mark in place of a value, a number with
/// a decimal point (a comma with `decimal_comma`), or nothing.
pub fn cell(value: Option<&Figure>, marker: Option<BaMarker>, decimal_comma: bool) -> String {
    match (value, marker) {
        (_, Some(m)) => m.symbol().to_owned(),
        (Some(Figure::Text(t)), None) => crate::sheets::cells::text(t, decimal_comma).into_owned(),
        (Some(f), None) if decimal_comma => f.with_decimal_comma(),
        (Some(f), None) => f.to_string(),
        (None, None) => String::new(),
    }
}

string_enum! {
    TransmissionStatus as "TransmissionStatusDto" { Requested = "requested", Received = "received", Forwarded = "forwarded" }
}

/// One Träger's value of one indicator (for a Kennzahl: of one month), as BA delivered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRow {
    pub traeger: Ags,
    pub indicator: IndicatorCode,
    /// The Bezugsmonat (1–12 of the transmission's year) of a Kennzahl; None for a figure of
    /// the whole year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    pub value: Option<Figure>,
    pub marker: Option<BaMarker>,
    pub provisional: bool,
    pub revised: bool,
    /// BA's Datenstand: BA revises published months, so a figure is read with its vintage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_as_of: Option<NaiveDate>,
}

impl DataRow {
    fn key(&self) -> (&Ags, &IndicatorCode, Option<u32>) {
        (&self.traeger, &self.indicator, self.month)
    }

    fn same_content(&self, other: &DataRow) -> bool {
        self.value == other.value
            && self.marker == other.marker
            && self.provisional == other.provisional
            && self.revised == other.revised
            && self.data_as_of == other.data_as_of
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
    pub id: TransmissionId,
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

    /// Whether the caller may know of it at all: HMSI always, a Träger once it was forwarded.
    pub fn visible_to(&self, visibility: &Visibility) -> bool {
        visibility.only().is_none() || self.forwarded().is_some()
    }

    /// What a Träger may see: only once forwarded, only the forwarded versions, only its own
    /// rows of the indicators it receives (never the figures HMSI keeps), only its own
    /// acknowledgements. None before anything was forwarded: then it is none of its business.
    pub fn seen_by(mut self, visibility: &Visibility) -> Option<Transmission> {
        if !self.visible_to(visibility) {
            return None;
        }
        let Some(own) = visibility.only() else {
            return Some(self);
        };
        let forwardable: HashSet<IndicatorCode> = self
            .indicators
            .iter()
            .filter(|i| i.forwardable)
            .map(|i| i.code.clone())
            .collect();
        self.indicators.retain(|i| i.forwardable);
        self.versions.retain(|v| v.forwarded_at.is_some());
        for v in &mut self.versions {
            v.rows
                .retain(|r| &r.traeger == own && forwardable.contains(&r.indicator));
            v.acknowledgements.retain(|a| &a.traeger == own);
        }
        Some(self)
    }
}

impl Recorded for Transmission {
    const ENTITY_TYPE: &'static str = "transmission";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
}

/// Which transmissions a list shows; the caller's visibility narrows it further.
#[derive(Debug, Clone, Default)]
pub struct TransmissionFilter {
    pub year: Option<i32>,
    pub status: Option<TransmissionStatus>,
    /// Those that serve an indicator of this section.
    pub section: Option<String>,
}

impl TransmissionFilter {
    pub fn admits(&self, t: &Transmission) -> bool {
        self.year.is_none_or(|y| t.year == y)
            && self.status.is_none_or(|s| t.status() == s)
            && self
                .section
                .as_ref()
                .is_none_or(|s| t.indicators.iter().any(|i| &i.section == s))
    }
}
