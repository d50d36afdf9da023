//! Spreadsheets, for the people who live in Excel and LibreOffice: exports and reports written
//! as XLSX workbooks (identifiers as text, values as numbers in their unit's format, dates as
//! dates), and BA's workbooks read as they come.

pub mod cells;
mod reading;
mod writing;

pub use reading::{Wide, wide_rows};
pub use writing::{Cell, Column, Number, SheetError, SheetWriter};

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The rows one sheet holds (Excel's limit, the header row included).
pub const MAX_ROWS: u32 = 1_048_576;
