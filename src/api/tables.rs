//! A report's table, built once and written in the two forms spreadsheets take: CSV for German
//! spreadsheets (`;`, a BOM, decimal commas, identifiers kept as text, typed text defused) and
//! an XLSX workbook (identifiers as text, figures as numbers in their unit's format, dates as
//! dates, a frozen header with autofilter, German titles on request).

use std::borrow::Cow;

use crate::api::formats::{csv_start, csv_writer};
use crate::domain::transmission::cell;
use crate::sheets::{Cell, Column, SheetError, SheetWriter, cells};

/// A report as rows of typed cells.
pub struct Table<'a> {
    /// The sheet's name in English and German.
    pub sheet: (&'static str, &'static str),
    /// The file's name, without `.xlsx`.
    pub file: String,
    pub columns: &'static [Column],
    pub rows: Vec<Vec<Cell<'a>>>,
}

/// A cell as German spreadsheets read it from CSV.
fn csv_cell<'c>(c: &'c Cell<'_>) -> Cow<'c, str> {
    match c {
        Cell::Text(t) => cells::text(t, true),
        Cell::Owned(t) => cells::text(t, true),
        Cell::Id(id) => cells::identifier(id, true),
        Cell::Number(n, _) => Cow::Owned(n.to_string().replace('.', ",")),
        Cell::Figure(f) => Cow::Owned(cell(Some(f), None, true)),
        Cell::Decimal(d) => Cow::Owned(d.replace('.', ",")),
        Cell::Mark(m) => Cow::Borrowed(m.symbol()),
        Cell::Date(d) => Cow::Owned(d.to_string()),
        Cell::Time(t) => Cow::Owned(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Cell::Empty => Cow::Borrowed(""),
    }
}

impl Table<'_> {
    /// CSV for German spreadsheets, titled by the columns' English names (as JSON names them).
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv_writer(true, csv_start(true));
        let _ = w.write_record(self.columns.iter().map(|c| c.en));
        for row in &self.rows {
            let cells: Vec<Cow<'_, str>> = row.iter().map(csv_cell).collect();
            let _ = w.write_record(cells.iter().map(|c| c.as_bytes()));
        }
        w.into_inner().unwrap_or_default()
    }

    /// A workbook of one sheet, titled in German when `german`.
    pub fn xlsx(&self, german: bool) -> Result<Vec<u8>, SheetError> {
        let mut sheet = SheetWriter::new(self.sheet, self.columns, german)?;
        for row in &self.rows {
            sheet.row(row)?;
        }
        sheet.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figure::Figure;
    use crate::domain::transmission::BaMarker;

    const COLUMNS: [Column; 4] = [
        Column {
            en: "traeger",
            de: "AGS",
            width: 8.0,
        },
        Column {
            en: "traeger_name",
            de: "Träger",
            width: 20.0,
        },
        Column {
            en: "value",
            de: "Wert",
            width: 10.0,
        },
        Column {
            en: "target",
            de: "Ziel",
            width: 10.0,
        },
    ];

    #[test]
    fn csv_keeps_identifiers_and_marks_and_defuses_typed_formulas() {
        let amount = Figure::parse(
            &serde_json::json!("1234.50"),
            crate::domain::indicator::Unit::Eur,
        )
        .unwrap();
        let table = Table {
            sheet: ("t", "t"),
            file: "t".into(),
            columns: &COLUMNS,
            rows: vec![
                vec![
                    Cell::Id("06633"),
                    Cell::Text("=1+1"),
                    Cell::Figure(&amount),
                    Cell::Decimal("-0.25".into()),
                ],
                vec![
                    Cell::Id("06611"),
                    Cell::Text("Stadt Kassel"),
                    Cell::Mark(BaMarker::Nil),
                    Cell::Empty,
                ],
            ],
        };
        let text = String::from_utf8(table.csv()).unwrap();
        assert_eq!(
            text,
            "\u{feff}traeger;traeger_name;value;target\r\n\
             \"=\"\"06633\"\"\";'=1+1;1234,50;-0,25\r\n\
             \"=\"\"06611\"\"\";Stadt Kassel;-;\r\n"
        );
    }
}
