//! What a JSON export holds, for the contract: `Fact::write_json` writes each row straight from
//! borrowed fields, so no Rust type of the row exists to derive the schema from. The schema is
//! closed, and every export the tests receive is validated against it: a column added to or
//! dropped from the writer without this description fails them.

use utoipa::ToSchema;

use crate::api::schemas::FigureValue;
use crate::domain::fact::FactState;
use crate::domain::indicator::{Source, Unit};
use crate::domain::transmission::BaMarker;

/// One page holding the whole export.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "the contract's description of what the JSON export writes"
)]
pub struct FactExport {
    pub items: Vec<FactRow>,
}

/// One value in long format: a figure of one year, Träger, indicator and reporting body.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "the contract's description of what the JSON export writes"
)]
pub struct FactRow {
    #[schema(example = 2023)]
    pub year: i32,
    /// AGS of the Träger.
    #[schema(example = "06633")]
    pub traeger: String,
    #[schema(example = "Landkreis Kassel")]
    pub traeger_name: String,
    /// The agreement's section the indicator belongs to.
    #[schema(example = "§ 2 (4)")]
    pub section: String,
    #[schema(example = "psychosocial_care")]
    pub indicator: String,
    pub unit: Unit,
    /// The period the value covers: a day for a stock, `from/to` for a flow.
    #[schema(example = "2023-01-01/2023-12-31")]
    pub reference: String,
    /// The reporting body of a breakdown row; null for the figure itself.
    #[schema(required = true)]
    pub reporting_body: Option<String>,
    /// Null where BA marked the cell (see `status`).
    #[schema(value_type = Option<FigureValue>, required = true)]
    pub value: Option<()>,
    /// BA's mark on the cell; a Träger's figures carry none.
    #[schema(required = true)]
    pub status: Option<BaMarker>,
    /// BA marked the value provisional.
    pub provisional: bool,
    pub source: Source,
    /// The submission or transmission the value comes from.
    #[schema(example = "ba-2023-1")]
    pub origin: String,
    /// The revision of the submission, or the version of the transmission.
    #[schema(example = 1)]
    pub revision: i32,
    pub state: FactState,
    /// Delivered after its deadline.
    pub late: bool,
    #[schema(value_type = String, format = DateTime, example = "2024-03-05T10:00:00.000000Z")]
    pub changed_at: String,
}
