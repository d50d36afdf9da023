//! One sheet written row by row: a bold header frozen in place with an autofilter over the
//! table, column titles in English or German, identifiers as text (an AGS keeps its leading
//! zero), numbers in their unit's format, BA's marks as text. The rows go to a temporary file
//! as they come (constant memory), so a year's facts take no more memory than a few rows.

use std::borrow::Cow;
use std::io::{Seek, SeekFrom};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::MAX_ROWS;
use crate::domain::figure::Figure;
use crate::domain::transmission::BaMarker;

/// A column: its title in English and German, and its width in characters.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub en: &'static str,
    pub de: &'static str,
    pub width: f64,
}

impl Column {
    pub const fn new(en: &'static str, de: &'static str, width: f64) -> Self {
        Column { en, de, width }
    }
}

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    Integer,
    Euro,
    /// A percent, written as the fraction spreadsheets compute with (26.7 % as 0.267).
    Percent,
    Ratio,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    /// An identifier (an AGS, an id): text in a workbook, kept as text in German CSV.
    Id(&'a str),
    Number(f64, Number),
    /// A figure in its unit's format (a text figure as text).
    Figure(&'a Figure),
    /// An exact decimal (`-0.25`), shown as it is.
    Decimal(Cow<'a, str>),
    /// BA's mark in place of a figure, as BA prints it (`*`, `-`, `x`), never a number.
    Mark(BaMarker),
    Date(NaiveDate),
    Time(NaiveDateTime),
    Bool(bool),
    Empty,
}

impl<'a> Cell<'a> {
    /// A figure in its unit's format; BA's mark in its place as BA prints it (`*`), never a
    /// number.
    pub fn figure(value: Option<&'a Figure>, marker: Option<BaMarker>) -> Self {
        match (value, marker) {
            (_, Some(m)) => Cell::Mark(m),
            (Some(f), None) => Cell::Figure(f),
            (None, None) => Cell::Empty,
        }
    }

    /// A figure as the number a workbook holds, in its unit's format; a text figure as text.
    fn typed(f: &'a Figure) -> Self {
        let kind = match f {
            Figure::Text(t) => return Cell::Text(t),
            Figure::Eur(_) => Number::Euro,
            Figure::Percent(_) => Number::Percent,
            Figure::Ratio(_) => Number::Ratio,
            _ => Number::Integer,
        };
        let n = f.approx().unwrap_or_default();
        // A spreadsheet's percent is a fraction: 26.7 % is 0.267.
        let n = if kind == Number::Percent {
            n / 100.0
        } else {
            n
        };
        Cell::Number(n, kind)
    }

    /// A text that may be empty.
    pub fn opt(text: Option<&'a str>) -> Self {
        text.map_or(Cell::Empty, Cell::Text)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("an XLSX sheet ends at 1 048 576 rows")]
    TooManyRows,
    #[error("the workbook could not be written: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("the workbook could not be written: {0}")]
    Io(#[from] std::io::Error),
}

struct Formats {
    header: Format,
    text: Format,
    integer: Format,
    euro: Format,
    percent: Format,
    ratio: Format,
    date: Format,
    time: Format,
}

impl Formats {
    fn new(german: bool) -> Self {
        let (date, time) = if german {
            ("dd.mm.yyyy", "dd.mm.yyyy hh:mm:ss")
        } else {
            ("yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss")
        };
        Formats {
            header: Format::new().set_bold().set_align(FormatAlign::Top),
            // "@": the cell is text, so a spreadsheet never reads an AGS as a number.
            text: Format::new().set_num_format("@"),
            integer: Format::new().set_num_format("0"),
            euro: Format::new().set_num_format("#,##0.00 \"€\""),
            percent: Format::new().set_num_format("0.0###%"),
            ratio: Format::new().set_num_format("0.0#####"),
            date: Format::new().set_num_format(date),
            time: Format::new().set_num_format(time),
        }
    }
}

/// A workbook of one sheet, written row by row.
pub struct SheetWriter {
    workbook: Workbook,
    formats: Formats,
    columns: u16,
    /// The next row to write (0 is the header).
    row: u32,
    /// The rows the sheet holds, the header included.
    limit: u32,
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    // Months and days fit a u8; a year outside Excel's range is an error of its own.
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

impl SheetWriter {
    /// A sheet named `name` (`(English, German)`) with `columns`, titled in German when
    /// `german`.
    pub fn new(name: (&str, &str), columns: &[Column], german: bool) -> Result<Self, SheetError> {
        let mut workbook = Workbook::new();
        let formats = Formats::new(german);
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(if german { name.1 } else { name.0 })?;
        for (i, c) in columns.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            sheet.set_column_width(col, c.width)?;
            let title = if german { c.de } else { c.en };
            sheet.write_string_with_format(0, col, title, &formats.header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(SheetWriter {
            workbook,
            formats,
            columns: u16::try_from(columns.len()).unwrap_or(u16::MAX),
            row: 1,
            limit: MAX_ROWS,
        })
    }

    /// The rows written so far, the header not counted.
    pub fn rows(&self) -> u32 {
        self.row - 1
    }

    /// Writes the next row; `TooManyRows` when the sheet is full.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), SheetError> {
        if self.row >= self.limit {
            return Err(SheetError::TooManyRows);
        }
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (i, cell) in cells.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            write_cell(sheet, &self.formats, (self.row, col), cell)?;
        }
        self.row += 1;
        Ok(())
    }

    fn close(&mut self) -> Result<(), SheetError> {
        let last_row = self.row - 1;
        let last_col = self.columns.saturating_sub(1);
        self.workbook
            .worksheet_from_index(0)?
            .autofilter(0, 0, last_row, last_col)?;
        Ok(())
    }

    /// The workbook in memory, for a report of a few hundred rows.
    pub fn into_bytes(mut self) -> Result<Vec<u8>, SheetError> {
        self.close()?;
        Ok(self.workbook.save_to_buffer()?)
    }

    /// The workbook in a temporary file (gone when dropped), read from its start: for an
    /// export of any size.
    pub fn into_file(mut self) -> Result<std::fs::File, SheetError> {
        self.close()?;
        let mut file = tempfile::tempfile()?;
        self.workbook.save_to_writer(&mut file)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

/// One cell in its place, typed and formatted.
fn write_cell(
    sheet: &mut Worksheet,
    f: &Formats,
    (row, col): (u32, u16),
    cell: &Cell<'_>,
) -> Result<(), SheetError> {
    match cell {
        Cell::Text(t) | Cell::Id(t) => sheet.write_string_with_format(row, col, *t, &f.text)?,
        Cell::Owned(t) => sheet.write_string_with_format(row, col, t, &f.text)?,
        Cell::Mark(m) => sheet.write_string_with_format(row, col, m.symbol(), &f.text)?,
        Cell::Figure(figure) => return write_cell(sheet, f, (row, col), &Cell::typed(figure)),
        Cell::Decimal(d) => match d.parse::<f64>() {
            Ok(n) => sheet.write_number_with_format(row, col, n, &f.ratio)?,
            Err(_) => sheet.write_string_with_format(row, col, d.as_ref(), &f.text)?,
        },
        Cell::Number(n, kind) => {
            let format = match kind {
                Number::Integer => &f.integer,
                Number::Euro => &f.euro,
                Number::Percent => &f.percent,
                Number::Ratio => &f.ratio,
            };
            sheet.write_number_with_format(row, col, *n, format)?
        }
        Cell::Date(d) => sheet.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)?,
        Cell::Time(t) => {
            let at = excel_date(t.date())?.and_hms(
                t.hour() as u16,
                t.minute() as u8,
                f64::from(t.second()),
            )?;
            sheet.write_datetime_with_format(row, col, at, &f.time)?
        }
        Cell::Bool(b) => sheet.write_boolean(row, col, *b)?,
        Cell::Empty => sheet,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const COLUMNS: [Column; 3] = [
        Column {
            en: "traeger",
            de: "AGS",
            width: 8.0,
        },
        Column {
            en: "value",
            de: "Wert",
            width: 10.0,
        },
        Column {
            en: "day",
            de: "Tag",
            width: 10.0,
        },
    ];

    fn sheet_xml(bytes: Vec<u8>) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn the_header_stays_in_view_and_filters_the_table() {
        let mut sheet = SheetWriter::new(("facts", "Fakten"), &COLUMNS, true).unwrap();
        let day = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
        for n in 0..3 {
            let value = Cell::Number(f64::from(n), Number::Integer);
            sheet
                .row(&[Cell::Text("06633"), value, Cell::Date(day)])
                .unwrap();
        }
        assert_eq!(sheet.rows(), 3);
        let xml = sheet_xml(sheet.into_bytes().unwrap());
        assert!(
            xml.contains(r#"<pane ySplit="1" topLeftCell="A2""#),
            "{xml}"
        );
        assert!(xml.contains(r#"<autoFilter ref="A1:C4"/>"#), "{xml}");
        // The AGS as a string (inline, constant memory), never a number.
        assert!(xml.contains("06633"));
    }

    #[test]
    fn a_full_sheet_takes_no_more_rows() {
        let mut sheet = SheetWriter::new(("facts", "Fakten"), &COLUMNS, false).unwrap();
        sheet.limit = 3;
        sheet.row(&[Cell::Text("06633")]).unwrap();
        sheet.row(&[Cell::Text("06611")]).unwrap();
        assert!(matches!(
            sheet.row(&[Cell::Text("06411")]),
            Err(SheetError::TooManyRows)
        ));
    }
}
