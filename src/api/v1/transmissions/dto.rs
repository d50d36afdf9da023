//! Wire types of `/api/v1/transmissions`: what requests carry and responses show.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::api::formats::CsvDialect;
use crate::api::schemas::FigureValue;
use crate::app::transmissions::Import;
use crate::domain::transmission::{
    BaMarker, DataRow, ImportSummary, RowChange, Transmission, TransmissionStatus,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct ServedDto {
    #[schema(example = "psychosocial_care")]
    pub code: String,
    #[schema(example = "§ 2 (4)")]
    pub section: String,
    /// False for figures HMSI keeps (§ 4 costs): never forwarded to a Träger.
    pub forwarded_to_traeger: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    pub version: i32,
    /// Why BA delivered again; required for a correction after forwarding.
    pub reason: Option<String>,
    pub received_by: String,
    pub received_at: DateTime<Utc>,
    pub forwarded_by: Option<String>,
    pub forwarded_at: Option<DateTime<Utc>>,
}

/// Per Träger: when the data went out, and whether the Träger acknowledged it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    pub traeger: String,
    /// The forwarded version this line is about.
    pub version: i32,
    pub forwarded_at: DateTime<Utc>,
    /// Null while pending.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A request to BA statistics and what became of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "ba-2023-1", "year": 2023, "ba_reference": "Auftrag 2024-0117, Tabelle 3.2", "requested_on": "2024-01-17",
    "note": "Inanspruchnahme psychosozialer Betreuung nach Jobcentern", "status": "forwarded",
    "indicators": [{"code": "psychosocial_care", "section": "§ 2 (4)", "forwarded_to_traeger": true}],
    "current_version": 1, "forwarded_version": 1,
    "versions": [{"version": 1, "reason": null, "received_by": "hmsi-referat-iii-2", "received_at": "2024-03-04T09:00:00Z",
                  "forwarded_by": "hmsi-referat-iii-2", "forwarded_at": "2024-03-05T10:00:00Z"}],
    "deliveries": [{"traeger": "06633", "version": 1, "forwarded_at": "2024-03-05T10:00:00Z", "acknowledged_at": null}],
    "version": 3, "created_at": "2024-01-17T08:00:00Z", "updated_at": "2024-03-05T10:00:00Z"
}))]
pub struct TransmissionResponse {
    pub id: String,
    pub year: i32,
    /// BA's table or order reference.
    pub ba_reference: String,
    pub requested_on: NaiveDate,
    pub note: Option<String>,
    pub status: TransmissionStatus,
    pub indicators: Vec<ServedDto>,
    pub current_version: Option<i32>,
    /// The newest version the Träger have received.
    pub forwarded_version: Option<i32>,
    pub versions: Vec<VersionDto>,
    /// For HMSI every Träger with rows in the forwarded version; for a Träger its own line.
    pub deliveries: Vec<DeliveryDto>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Transmission> for TransmissionResponse {
    fn from(t: Transmission) -> Self {
        let deliveries = match t.forwarded() {
            None => Vec::new(),
            Some(v) => {
                let mut traeger: BTreeMap<String, Option<DateTime<Utc>>> = BTreeMap::new();
                for r in &v.rows {
                    traeger.entry(r.traeger.to_string()).or_insert(None);
                }
                for a in &v.acknowledgements {
                    traeger.insert(a.traeger.to_string(), Some(a.acknowledged_at.and_utc()));
                }
                let forwarded_at = v.forwarded_at.unwrap_or_default().and_utc();
                traeger
                    .into_iter()
                    .map(|(traeger, acknowledged_at)| DeliveryDto {
                        traeger,
                        version: v.number,
                        forwarded_at,
                        acknowledged_at,
                    })
                    .collect()
            }
        };
        TransmissionResponse {
            status: t.status(),
            current_version: t.current().map(|v| v.number),
            forwarded_version: t.forwarded().map(|v| v.number),
            deliveries,
            indicators: t
                .indicators
                .into_iter()
                .map(|s| ServedDto {
                    code: s.code.into(),
                    section: s.section,
                    forwarded_to_traeger: s.forwardable,
                })
                .collect(),
            versions: t
                .versions
                .into_iter()
                .map(|v| VersionDto {
                    version: v.number,
                    reason: v.reason,
                    received_by: v.received_by,
                    received_at: v.received_at.and_utc(),
                    forwarded_by: v.forwarded_by,
                    forwarded_at: v.forwarded_at.map(|f| f.and_utc()),
                })
                .collect(),
            id: t.id.into(),
            year: t.year,
            ba_reference: t.ba_reference,
            requested_on: t.requested_on,
            note: t.note,
            version: t.version,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransmissionPage {
    pub items: Vec<TransmissionResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

/// One Träger's figure for one indicator: a value, or BA's status for a cell without one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"traeger": "06611", "indicator": "psychosocial_care", "value": null, "status": "suppressed", "provisional": false, "revised": false}))]
pub struct DataRowDto {
    pub traeger: String,
    pub indicator: String,
    /// The Bezugsmonat of a Kennzahl (`2024-07`); absent for a figure of the whole year.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2024-07")]
    pub month: Option<String>,
    /// A count as a number, an amount or quotient as a decimal string; null when BA gave a
    /// status.
    #[schema(value_type = Option<FigureValue>)]
    pub value: Option<serde_json::Value>,
    /// `suppressed` (BA `*`), `nil` (`-`), `not_applicable` (`x`); never turned into 0.
    #[schema(value_type = Option<String>, example = "suppressed")]
    pub status: Option<BaMarker>,
    pub provisional: bool,
    pub revised: bool,
    /// BA's Datenstand (data vintage) of the figure, where BA gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_as_of: Option<NaiveDate>,
}

impl DataRowDto {
    /// A row of a transmission of `year`.
    pub fn of(r: DataRow, year: i32) -> Self {
        DataRowDto {
            month: r.month.map(|m| format!("{year}-{m:02}")),
            traeger: r.traeger.into(),
            indicator: r.indicator.into(),
            value: r.value.map(|f| f.to_json()),
            status: r.marker,
            provisional: r.provisional,
            revised: r.revised,
            data_as_of: r.data_as_of,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"transmission_id": "ba-2024-1", "version": 2, "rows": [
    {"traeger": "06432", "indicator": "k2", "month": "2024-07", "value": "26.7", "status": null,
     "provisional": false, "revised": false, "data_as_of": "2024-10-15"},
    {"traeger": "06432", "indicator": "k3", "month": "2024-07", "value": "0.9688", "status": null,
     "provisional": false, "revised": true, "data_as_of": "2024-11-12"},
    {"traeger": "06411", "indicator": "k3", "month": "2024-07", "value": null, "status": "suppressed",
     "provisional": false, "revised": false, "data_as_of": "2024-10-15"}]}))]
pub struct DataResponse {
    pub transmission_id: String,
    pub version: i32,
    pub rows: Vec<DataRowDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowChangeDto {
    pub traeger: String,
    pub indicator: String,
    /// The Bezugsmonat of a Kennzahl's row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    pub before: Option<DataRowDto>,
    pub after: Option<DataRowDto>,
}

impl RowChangeDto {
    /// A change in a transmission of `year`.
    pub fn of(c: RowChange, year: i32) -> Self {
        RowChangeDto {
            traeger: c.traeger.into(),
            indicator: c.indicator.into(),
            month: c.month.map(|m| format!("{year}-{m:02}")),
            before: c.before.map(|r| DataRowDto::of(r, year)),
            after: c.after.map(|r| DataRowDto::of(r, year)),
        }
    }
}

/// One version with its rows and what changed against the version before it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionResponse {
    #[serde(flatten)]
    pub version: VersionDto,
    pub rows: Vec<DataRowDto>,
    pub changes: Vec<RowChangeDto>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"new": 25, "changed": 1, "unchanged": 0, "removed": 0}))]
pub struct SummaryDto {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

impl From<ImportSummary> for SummaryDto {
    fn from(s: ImportSummary) -> Self {
        SummaryDto {
            new: s.new,
            changed: s.changed,
            unchanged: s.unchanged,
            removed: s.removed,
        }
    }
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub transmission: TransmissionResponse,
    pub summary: SummaryDto,
    pub dry_run: bool,
}

impl From<Import> for ImportResponse {
    fn from(i: Import) -> Self {
        ImportResponse {
            transmission: i.transmission.into(),
            summary: i.summary.into(),
            dry_run: i.dry_run,
        }
    }
}

/// A request to BA statistics.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2023, "indicators": ["psychosocial_care"], "ba_reference": "Auftrag 2024-0117, Tabelle 3.2",
    "requested_on": "2024-01-17", "note": "§ 2 (4): vom Jobcenter veranlasste Inanspruchnahmen"}))]
pub struct CreateTransmissionRequest {
    #[schema(value_type = i32, required = true)]
    pub year: Option<i64>,
    /// BA-sourced indicators valid in the year.
    #[schema(required = true)]
    pub indicators: Option<Vec<String>>,
    #[schema(value_type = String, required = true)]
    pub ba_reference: Option<String>,
    #[schema(value_type = String, required = true, example = "2024-01-17")]
    pub requested_on: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataRowRequest {
    #[schema(value_type = String, required = true, example = "06633")]
    pub traeger: Option<String>,
    #[schema(value_type = String, required = true, example = "psychosocial_care")]
    pub indicator: Option<String>,
    /// A number (or decimal string), or BA's mark `*`, `-`, `x`; null when `status` is given.
    #[schema(value_type = Option<FigureValue>, example = 17)]
    pub value: Option<serde_json::Value>,
    /// Instead of a value: `suppressed`, `nil` or `not_applicable`.
    pub status: Option<String>,
    /// For a Kennzahl (percent or ratio): its Bezugsmonat in the transmission's year.
    #[schema(example = "2024-07")]
    pub month: Option<String>,
    /// For a Kennzahl: BA's Datenstand, the day its data stood at.
    #[schema(value_type = Option<String>, format = Date, example = "2024-10-15")]
    pub data_as_of: Option<String>,
    #[serde(default)]
    pub provisional: bool,
    #[serde(default)]
    pub revised: bool,
}

/// BA's data as JSON; as CSV, send `text/csv` with `traeger;indicator;value` (and for the
/// Kennzahlen `month;data_as_of`, e.g. `jc-06432;k2;2024-07;26,7;2024-10-15`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rows": [
    {"traeger": "06633", "indicator": "psychosocial_care", "value": 17},
    {"traeger": "06611", "indicator": "psychosocial_care", "value": "*"}]}))]
pub struct DataRequest {
    #[schema(required = true)]
    pub rows: Option<Vec<DataRowRequest>>,
    /// Why BA delivered again (required after forwarding); also `?reason=`.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DataQuery {
    /// Validate and answer the summary; store nothing.
    pub dry_run: Option<bool>,
    /// Why BA delivered again; required when the data was forwarded.
    pub reason: Option<String>,
    /// An XLSX workbook: the sheet to read (the first when left out).
    #[param(example = "Tabelle1")]
    pub sheet: Option<String>,
    /// An XLSX workbook: headings and the indicator each names, `heading=code` separated by
    /// `;`, for headings that are not codes.
    #[param(example = "Integrationsquote=k2;Veränderung LZB=k3")]
    pub map: Option<String>,
    /// An XLSX workbook of Kennzahlen: the Bezugsmonat of every value in it.
    #[param(example = "2024-07")]
    pub month: Option<String>,
    /// An XLSX workbook of Kennzahlen: BA's Datenstand of every value in it.
    #[param(value_type = Option<String>, format = Date, example = "2024-10-15")]
    pub data_as_of: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TransmissionQuery {
    pub year: Option<i64>,
    pub status: Option<TransmissionStatus>,
    /// Transmissions serving an indicator of this section, e.g. `§ 2 (4)`.
    pub section: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// The format of a transmission's data.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataFormat {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DataOutQuery {
    /// `json` (default) or `csv`.
    pub format: Option<DataFormat>,
    /// With `format=csv`: `de` for German spreadsheets.
    pub csv: Option<CsvDialect>,
    /// A version number; the newest one (a Träger: the newest forwarded) without it.
    pub version: Option<i32>,
}
