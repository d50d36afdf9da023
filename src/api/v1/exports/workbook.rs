//! The facts export as an XLSX workbook, for HMSI's clerks and the Träger's controllers: one
//! sheet, a row per fact, the AGS as text, values as numbers in their unit's format with BA's
//! mark as text beside its status, reference days and change times as dates. Written to a
//! temporary file batch by batch, so memory stays flat; one sheet ends at 1 048 576 rows, and
//! a larger export is refused before anything is sent.

use chrono::NaiveDate;

use crate::api::problem::ApiError;
use crate::app::AppError;
use crate::app::exports::Export;
use crate::domain::fact::Fact;
use crate::sheets::{Cell, Column, Number, SheetError, SheetWriter};

/// The columns of the CSV export, titled for people.
const COLUMNS: [Column; 16] = [
    Column::new("year", "Jahr", 6.0),
    Column::new("traeger", "AGS", 8.0),
    Column::new("traeger_name", "Träger", 28.0),
    Column::new("section", "Abschnitt", 10.0),
    Column::new("indicator", "Indikator", 26.0),
    Column::new("unit", "Einheit", 8.0),
    Column::new("reference", "Bezug", 22.0),
    Column::new("reporting_body", "Meldestelle", 24.0),
    Column::new("value", "Wert", 12.0),
    Column::new("status", "Kennzeichen", 12.0),
    Column::new("source", "Quelle", 8.0),
    Column::new("origin", "Herkunft", 24.0),
    Column::new("revision", "Revision", 8.0),
    Column::new("state", "Stand", 10.0),
    Column::new("late", "verspätet", 9.0),
    Column::new("changed_at", "geändert am (UTC)", 20.0),
];

const TOO_MANY_ROWS: &str = "an XLSX sheet ends at 1 048 576 rows and this export has more: \
    ask for CSV or NDJSON, or narrow it (`year`, `traeger`, `indicator`)";

fn sheet_error(e: SheetError) -> ApiError {
    match e {
        SheetError::TooManyRows => AppError::invalid("/format", TOO_MANY_ROWS).into(),
        e => {
            tracing::error!(error = %e, "an XLSX export could not be written");
            ApiError::Status(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

fn write(sheet: &mut SheetWriter, f: &Fact) -> Result<(), SheetError> {
    let (o, t, i) = (&f.origin, &f.traeger, &f.indicator);
    let reference = f.reference();
    let reference = match reference.parse::<NaiveDate>() {
        Ok(day) => Cell::Date(day),
        Err(_) => Cell::Text(&reference),
    };
    let changed = chrono::DateTime::parse_from_rfc3339(&o.changed_at)
        .map_or(Cell::Text(&o.changed_at), |at| Cell::Time(at.naive_utc()));
    sheet.row(&[
        Cell::Number(f64::from(o.year), Number::Integer),
        Cell::Text(&t.ags),
        Cell::Text(&t.name),
        Cell::Text(&i.section),
        Cell::Text(&i.code),
        Cell::Text(i.unit),
        reference,
        Cell::opt(f.reporting_body.as_deref()),
        Cell::figure(f.value.as_ref(), f.marker),
        Cell::opt(f.marker.map(|m| m.as_str())),
        Cell::Text(o.source.as_str()),
        Cell::Text(&o.id),
        Cell::Number(f64::from(o.revision), Number::Integer),
        Cell::Text(o.state.as_str()),
        Cell::Bool(o.late),
        changed,
    ])
}

/// `work` on the blocking pool, its failure (or the pool's) as the answer's.
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SheetError> + Send + 'static,
) -> Result<T, ApiError> {
    actix_web::web::block(work)
        .await
        .map_err(|e| SheetError::Io(std::io::Error::other(e)))
        .and_then(|done| done)
        .map_err(sheet_error)
}

/// The export as a workbook in a temporary file, read from its start.
pub async fn facts(mut export: Export, german: bool) -> Result<std::fs::File, ApiError> {
    let mut sheet = SheetWriter::new(("facts", "Fakten"), &COLUMNS, german).map_err(sheet_error)?;
    while let Some(batch) = export.next_batch().await? {
        sheet = off_thread(move || {
            batch.iter().try_for_each(|f| write(&mut sheet, f))?;
            Ok(sheet)
        })
        .await?;
    }
    off_thread(move || sheet.into_file()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_sheet_is_refused_in_both_languages() {
        assert!(crate::api::problem::german::text_of(TOO_MANY_ROWS).is_some());
        let refused = sheet_error(SheetError::TooManyRows);
        assert!(matches!(refused, ApiError::App(AppError::Invalid(ref v)) if v.len() == 1));
    }
}
