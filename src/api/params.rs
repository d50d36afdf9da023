//! Parameters many operations share. A query parameter that does not parse is a 400 naming it;
//! an id in the path that cannot exist is a 404, like one that does not.

use std::str::FromStr;

use super::problem::ApiError;
use crate::app::AppError;
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

/// A day in a query parameter `name`, `YYYY-MM-DD`.
pub fn date(name: &str, raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    raw.map(|d| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::BadRequest(format!("`{name}`: `{d}` is not a date YYYY-MM-DD")))
    })
    .transpose()
}

/// The id in a path: one of the wrong shape names nothing there is, so it is not found.
pub fn id<T: FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::App(AppError::NotFound))
}
