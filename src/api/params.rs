//! Query parameters many lists share; a value that does not parse is a 400 naming it.

use super::problem::ApiError;
use crate::domain::indicator::parse_year;
use crate::domain::traeger::Ags;

pub fn year(raw: Option<i64>) -> Result<Option<i32>, ApiError> {
    raw.map(parse_year)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("`year`: {e}")))
}

pub fn traeger(raw: Option<&str>) -> Result<Option<Ags>, ApiError> {
    raw.map(Ags::parse)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("`traeger`: {e}")))
}
