//! What a request says about the workbook it uploads.

use super::dto::DataQuery;
use crate::api::problem::ApiError;

impl DataQuery {
    /// What the query says about a workbook; 400 when it says it of CSV or JSON.
    pub fn wide(&self, workbook: bool) -> Result<crate::sheets::Wide, ApiError> {
        let given = [&self.sheet, &self.map, &self.month, &self.data_as_of];
        if !workbook && given.iter().any(|p| p.is_some()) {
            return Err(ApiError::BadRequest(
                "`sheet`, `map`, `month` and `data_as_of` are for an XLSX workbook; CSV and JSON \
                 give them in their rows"
                    .into(),
            ));
        }
        let mut map = Vec::new();
        for pair in self.map.iter().flat_map(|m| m.split(';')) {
            match pair.split_once('=') {
                Some((heading, code)) if !heading.trim().is_empty() && !code.trim().is_empty() => {
                    map.push((heading.trim().to_owned(), code.trim().to_owned()));
                }
                _ => {
                    return Err(ApiError::BadRequest(format!(
                        "`map`: `{pair}` is not `heading=code`"
                    )));
                }
            }
        }
        Ok(crate::sheets::Wide {
            sheet: self.sheet.clone(),
            map,
            month: self.month.clone(),
            data_as_of: self.data_as_of.clone(),
            served: Vec::new(),
        })
    }
}
