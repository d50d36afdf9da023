//! BA's workbooks as they come: a sheet in wide layout, one row per Jobcenter (or AGS), one
//! column per figure, under a title, merged group headings and above footnotes. The header
//! row is the first that names figures (by code, `K2` as `k2`, or by the request's mapping);
//! rows whose first column holds no identifier and no figure are titles or footnotes and are
//! skipped. Every cell keeps its place (`Tabelle1!C7`) for the errors.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};

use crate::domain::Violation;
use crate::domain::transmission::RawRow;

/// What a request says about its workbook.
#[derive(Debug, Clone, Default)]
pub struct Wide {
    /// The sheet to read; the first when None.
    pub sheet: Option<String>,
    /// Column headings and the indicator each names (`Integrationsquote` → `k2`).
    pub map: Vec<(String, String)>,
    /// The Bezugsmonat and Datenstand of every value (BA's Kennzahlen come a month a sheet).
    pub month: Option<String>,
    pub data_as_of: Option<String>,
    /// The indicators the transmission serves: a column headed by one of them (or mapped to
    /// one) holds figures; other columns (names, notes) are left alone.
    pub served: Vec<String>,
}

/// How far a workbook may unpack: a small file that inflates beyond this is refused before it
/// is read (a zip bomb).
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Headings that name the column of the Träger or Jobcenter.
const ID_HEADINGS: [&str; 9] = [
    "traeger",
    "träger",
    "ags",
    "jobcenter",
    "jobcenter_id",
    "jobcenter-id",
    "jobcenter-nr",
    "regionalschlüssel",
    "kreis",
];

/// `C7` for the cell in row 6, column 2 (from 0).
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// A number as the decimal a person typed: spreadsheets keep 15 significant digits, so what
/// lies beyond them is the binary float's noise (0.97 + 0.001 is 0.9709999999999999); with a
/// decimal comma, since a point before three digits would read as a thousands separator.
fn number(f: f64) -> String {
    let typed: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    typed.to_string().replace('.', ",")
}

fn text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        Data::String(s) if s.trim().is_empty() => None,
        Data::String(s) => Some(s.trim().to_owned()),
        Data::Float(f) => Some(number(*f)),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => Some(d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(format!("#{e:?}")),
    }
}

/// The Träger or Jobcenter a cell names: an AGS typed as a number loses its leading zero in a
/// spreadsheet, so 6433 reads as `06433`.
fn identifier(cell: &Data) -> Option<String> {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && *f > 0.0 && *f < 100_000.0 => {
            Some(format!("{:05}", *f as u32))
        }
        Data::Int(i) if (1..100_000).contains(i) => Some(format!("{i:05}")),
        other => text(other),
    }
}

fn looks_like_id(s: &str) -> bool {
    let s = s.to_lowercase();
    (s.len() <= 8 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        || s.strip_prefix("jc-").is_some_and(|rest| !rest.is_empty())
}

/// The indicator a heading names, if any: by the request's mapping, or as the code of an
/// indicator served (`K2` for `k2`).
fn code_of(heading: &str, wide: &Wide) -> Option<String> {
    if let Some((_, code)) = wide
        .map
        .iter()
        .find(|(h, _)| h.trim().eq_ignore_ascii_case(heading))
    {
        return Some(code.clone());
    }
    let lower = heading.to_lowercase();
    wide.served.contains(&lower).then_some(lower)
}

fn refused(pointer: &str, message: impl Into<String>) -> Vec<Violation> {
    vec![Violation::new(pointer, message)]
}

/// The unpacked size of the workbook's parts, refused beyond [`MAX_UNPACKED`].
fn check_size(bytes: &[u8]) -> Result<(), Vec<Violation>> {
    let not_xlsx =
        |e: &dyn std::fmt::Display| refused("/", format!("is not an XLSX workbook ({e})"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| not_xlsx(&e))?;
        total = total.saturating_add(part.size());
    }
    if total > MAX_UNPACKED {
        return Err(refused(
            "/",
            format!("unpacks to more than {MAX_UNPACKED} bytes"),
        ));
    }
    Ok(())
}

/// The sheet asked for (or the first), its name and cells.
fn sheet(bytes: &[u8], wide: &Wide) -> Result<(String, Range<Data>), Vec<Violation>> {
    check_size(bytes)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| refused("/", format!("is not an XLSX workbook ({e})")))?;
    let names = book.sheet_names();
    let name = match &wide.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(refused(
                "?sheet",
                format!(
                    "there is no sheet `{s}`; the workbook has {}",
                    names.join(", ")
                ),
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| refused("/", "the workbook has no sheet"))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| refused("/", format!("the sheet `{name}` cannot be read ({e})")))?;
    Ok((name, range))
}

/// The header row (the first that names a figure), the column of the Träger (headed as such,
/// else the first) and the columns of figures with their indicators.
struct Layout {
    header: usize,
    id_col: usize,
    figures: Vec<(usize, String)>,
}

fn headings(rows: &[&[Data]], wide: &Wide) -> Option<Layout> {
    let header = rows.iter().position(|r| {
        r.iter()
            .filter_map(text)
            .any(|h| code_of(&h, wide).is_some())
    })?;
    let titles: Vec<Option<String>> = rows[header].iter().map(text).collect();
    let id_col = titles
        .iter()
        .position(|h| {
            h.as_ref()
                .is_some_and(|h| ID_HEADINGS.contains(&h.to_lowercase().as_str()))
        })
        .unwrap_or(0);
    let figures = titles
        .iter()
        .enumerate()
        .filter(|(c, _)| *c != id_col)
        .filter_map(|(c, h)| Some((c, code_of(h.as_deref()?, wide)?)))
        .collect();
    Some(Layout {
        header,
        id_col,
        figures,
    })
}

/// The rows of a wide sheet, one per Träger and figure, each cell in its place.
pub fn wide_rows(bytes: &[u8], wide: &Wide) -> Result<Vec<RawRow>, Vec<Violation>> {
    let (name, range) = sheet(bytes, wide)?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let place =
        |row: usize, col: usize| format!("{name}!{}", a1(top + row as u32, left + col as u32));
    let rows: Vec<&[Data]> = range.rows().collect();
    let Some(Layout {
        header,
        id_col,
        figures,
    }) = headings(&rows, wide)
    else {
        return Err(refused(
            &format!("{name}!A1"),
            "no row names the figures: head the columns with indicator codes (`k2`) or name \
             a mapping (`map=Integrationsquote=k2`)",
        ));
    };
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header + 1) {
        let id = row.get(id_col).and_then(identifier);
        let has_figure = figures
            .iter()
            .any(|(c, _)| row.get(*c).and_then(text).is_some());
        if !has_figure && id.as_deref().is_none_or(|s| !looks_like_id(s)) {
            continue; // a blank line, a title or a footnote
        }
        for (c, code) in &figures {
            let value_at = place(i, *c);
            out.push(RawRow {
                at: value_at.clone(),
                traeger: id.clone(),
                indicator: Some(code.clone()),
                value: row.get(*c).and_then(text),
                month: wide.month.clone(),
                data_as_of: wide.data_as_of.clone(),
                provisional: false,
                revised: false,
                cells: vec![
                    ("traeger", place(i, id_col)),
                    ("indicator", place(header, *c)),
                    ("value", value_at),
                    ("month", "?month".to_owned()),
                    ("data_as_of", "?data_as_of".to_owned()),
                ],
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_spreadsheets_name_them() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(6, 2), "C7");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(9, 26), "AA10");
        assert_eq!(a1(0, 701), "ZZ1");
        assert_eq!(a1(0, 702), "AAA1");
    }

    #[test]
    fn an_ags_typed_as_a_number_keeps_its_zero() {
        assert_eq!(identifier(&Data::Float(6433.0)).as_deref(), Some("06433"));
        assert_eq!(identifier(&Data::Int(6611)).as_deref(), Some("06611"));
        assert_eq!(
            identifier(&Data::String(" jc-06432 ".into())).as_deref(),
            Some("jc-06432")
        );
        assert_eq!(text(&Data::Float(26.7)).as_deref(), Some("26,7"));
        assert_eq!(text(&Data::Float(0.97 + 0.001)).as_deref(), Some("0,971"));
        assert_eq!(text(&Data::Float(-1.5)).as_deref(), Some("-1,5"));
        assert_eq!(text(&Data::Float(1234.0)).as_deref(), Some("1234"));
    }
}
