//! CSV as BA statistics and German spreadsheets write it, in and out.
//!
//! In: header `traeger;indicator;value` (or with `,`), optionally the columns `month` and
//! `data_as_of` (BA's monthly Kennzahlen: Bezugsmonat `2024-07` and Datenstand `2024-10-15`)
//! and `flags` (`p` provisional, `r` revised), in any order; `traeger` may hold an AGS or a
//! Jobcenter id; UTF-8 with or without BOM; CRLF or LF; quoted fields; empty lines skipped.
//! Out: RFC 4180 (`,`, point), or for German spreadsheets `;`, a BOM and decimal commas.

use crate::api::formats::{BOM, csv_start, csv_writer};
use crate::domain::Violation;
use crate::domain::transmission::{DataRow, RawRow, cell};
use crate::sheets::cells;

/// Counts lines as records go by. The reader's own line count lags by one after a CRLF line
/// end, so the line is counted from the byte offset, past any line break it points at; the
/// count goes on from the previous record, so a large file is read in one pass.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line (1-based) a record at byte `byte` starts on; bytes only move forward.
    fn of(&mut self, byte: u64) -> u64 {
        let start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len())
            .max(self.at);
        let first = self.text[start..]
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .map_or(self.text.len(), |p| start + p);
        self.line += self.text[self.at..first]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.at = first;
        self.line
    }
}

/// Reads rows, and the lines that are not rows at all; a file that is no such CSV (wrong
/// header, not UTF-8, empty) is an error. Errors name the line (`/lines/4`, the header is 1).
pub fn parse(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<Violation>), Vec<Violation>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Violation::new(
            "",
            format!("the CSV is not UTF-8 (byte {})", e.valid_up_to()),
        )]
    })?;
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if header_line.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let columns = header(&mut records)?;
    Ok(rows(records, text, &columns))
}

/// Where each column stands in a record.
struct Columns {
    traeger: usize,
    indicator: usize,
    value: usize,
    month: Option<usize>,
    data_as_of: Option<usize>,
    flags: Option<usize>,
    width: usize,
}

impl Columns {
    /// The columns a header names, each once; None for a header that is not such.
    fn of(names: &[String]) -> Option<Self> {
        let at = |name: &str| {
            let found: Vec<usize> = (0..names.len()).filter(|i| names[*i] == name).collect();
            match found.as_slice() {
                [] => Some(None),
                [i] => Some(Some(*i)),
                _ => None,
            }
        };
        // `status` is written out beside the value; BA's mark in `value` says the same.
        let known = [
            "traeger",
            "indicator",
            "value",
            "status",
            "month",
            "data_as_of",
            "flags",
        ];
        if names.iter().any(|n| !known.contains(&n.as_str())) {
            return None;
        }
        Some(Columns {
            traeger: at("traeger")??,
            indicator: at("indicator")??,
            value: at("value")??,
            month: at("month")?,
            data_as_of: at("data_as_of")?,
            flags: at("flags")?,
            width: names.len(),
        })
    }
}

/// Reads the header, the first line that is not empty, and where its columns stand.
fn header(records: &mut csv::StringRecordsIter<&[u8]>) -> Result<Columns, Vec<Violation>> {
    let header = loop {
        match records.next() {
            None => {
                return Err(vec![Violation::new(
                    "",
                    "the CSV is empty: a header `traeger;indicator;value` is expected",
                )]);
            }
            Some(Err(e)) => return Err(vec![Violation::new("/lines/1", e.to_string())]),
            Some(Ok(r)) if r.iter().all(str::is_empty) => continue,
            Some(Ok(r)) => break r,
        }
    };
    let names: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
    Columns::of(&names).ok_or_else(|| {
        vec![Violation::new(
            "/lines/1",
            format!(
                "the header is `{}`; expected `traeger;indicator;value` (and optionally `month`, `data_as_of`, `flags`), each once",
                names.join(";")
            ),
        )]
    })
}

/// Reads the records after the header, `width` cells each: the rows, and the lines that are
/// no rows.
fn rows(
    records: csv::StringRecordsIter<&[u8]>,
    text: &str,
    columns: &Columns,
) -> (Vec<RawRow>, Vec<Violation>) {
    let width = columns.width;
    let mut lines = Lines::new(text);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.of(p.byte()));
                errors.push(Violation::new(format!("/lines/{line}"), e.to_string()));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        if record.len() != width {
            errors.push(Violation::new(
                format!("/lines/{line}"),
                format!("has {} columns, the header {width}", record.len()),
            ));
            continue;
        }
        // What the German dialect writes (`="06633"`) reads back as it was.
        let read = |i: usize| cells::read(&record[i]).to_owned();
        let cell = |at: Option<usize>| at.map(read).filter(|c| !c.is_empty());
        let flags = cell(columns.flags).unwrap_or_default().to_ascii_lowercase();
        rows.push(RawRow {
            at: format!("/lines/{line}"),
            traeger: Some(read(columns.traeger)),
            indicator: Some(read(columns.indicator)),
            value: Some(read(columns.value)),
            month: cell(columns.month),
            data_as_of: cell(columns.data_as_of),
            provisional: flags.contains('p'),
            revised: flags.contains('r'),
            cells: Vec::new(),
        });
    }
    (rows, errors)
}

/// Writes rows as CSV: the value column holds a number or BA's mark, so the file reads back in.
/// The rows of a transmission of `year`; with the columns `month` and `data_as_of` when
/// they hold Kennzahlen, so that what was written reads back in.
pub fn write(rows: &[DataRow], year: i32, german: bool) -> Vec<u8> {
    let mut w = csv_writer(german, csv_start(german));
    let monthly = rows.iter().any(|r| r.month.is_some());
    let mut names = vec!["traeger", "indicator", "value", "status", "flags"];
    if monthly {
        names.extend(["month", "data_as_of"]);
    }
    let _ = w.write_record(&names);
    for r in rows {
        let value = cell(r.value.as_ref(), r.marker, german);
        let status = r.marker.map_or("", |m| m.as_str()).to_owned();
        let flags = format!(
            "{}{}",
            if r.provisional { "p" } else { "" },
            if r.revised { "r" } else { "" }
        );
        let mut record = vec![
            cells::identifier(r.traeger.as_str(), german).into_owned(),
            r.indicator.to_string(),
            value,
            status,
            flags,
        ];
        if monthly {
            record.push(
                r.month
                    .map_or_else(String::new, |m| format!("{year}-{m:02}")),
            );
            record.push(r.data_as_of.map_or_else(String::new, |d| d.to_string()));
        }
        let _ = w.write_record(&record);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_spreadsheets_write() {
        let input = "\u{feff}traeger;indicator;value\r\n06633;psychosocial_care;12\r\n\r\n\"06611\";\"psychosocial_care\";\"*\"\r\n";
        let (rows, _) = parse(input.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[1].traeger.as_deref(),
                rows[1].value.as_deref(),
                rows[1].at.as_str()
            ),
            (Some("06611"), Some("*"), "/lines/4")
        );
        let (comma, _) = parse(b"traeger,indicator,value,flags\n06633,x_y,\"1,5\",pr\n").unwrap();
        assert_eq!(comma[0].value.as_deref(), Some("1,5"));
        assert!(comma[0].provisional && comma[0].revised);
    }

    #[test]
    fn a_wrong_header_or_width_names_the_line() {
        assert_eq!(
            parse(b"ags;code;wert\n").unwrap_err()[0].pointer,
            "/lines/1"
        );
        let (_, e) = parse(b"traeger;indicator;value\n06633;a;1;2\n").unwrap();
        assert_eq!(e[0].pointer, "/lines/2");
        assert!(parse(b"").is_err());
        assert!(parse(b"traeger;indicator;value\n\xff\xfe\n").is_err());
    }
}

#[cfg(test)]
mod line_numbers {
    #[test]
    fn are_the_same_for_lf_and_crlf() {
        for input in [
            "traeger,indicator,value\r\n06633,a,1\r\n\r\n06634,a,2\r\n",
            "traeger,indicator,value\n06633,a,1\n\n06634,a,2\n",
        ] {
            let (rows, _) = super::parse(input.as_bytes()).unwrap();
            let at: Vec<_> = rows.iter().map(|r| r.at.as_str()).collect();
            assert_eq!(at, ["/lines/2", "/lines/4"], "{input:?}");
        }
    }
}
