//! The formats a client may ask data in.

use serde::Deserialize;
use utoipa::ToSchema;

/// How CSV is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CsvDialect {
    /// `,`, decimal point (RFC 4180).
    Rfc,
    /// `;`, a BOM and decimal commas, for German spreadsheets.
    De,
}
