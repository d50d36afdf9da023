//! CSV as BA statistics and German spreadsheets write it, in and out.
//!
//! In: header `traeger;indicator;value` (or with `,`), optionally a fourth column `flags`
//! (`p` provisional, `r` revised); UTF-8 with or without BOM; CRLF or LF; quoted fields;
//! empty lines skipped. Out: RFC 4180 (`,`, point), or for German spreadsheets `;`, a BOM and
//! decimal commas.

use crate::domain::Violation;
use crate::domain::transmission::{DataRow, RawRow};

const BOM: &[u8] = b"\xEF\xBB\xBF";

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
    let with_flags = header(&mut records)?;
    Ok(rows(records, text, if with_flags { 4 } else { 3 }))
}

/// Reads the header, the first line that is not empty: whether it has the column `flags`.
fn header(records: &mut csv::StringRecordsIter<&[u8]>) -> Result<bool, Vec<Violation>> {
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
    match names.as_slice() {
        [t, i, v] if t == "traeger" && i == "indicator" && v == "value" => Ok(false),
        [t, i, v, f] if t == "traeger" && i == "indicator" && v == "value" && f == "flags" => {
            Ok(true)
        }
        _ => Err(vec![Violation::new(
            "/lines/1",
            format!(
                "the header is `{}`; expected `traeger;indicator;value` (and optionally `flags`)",
                names.join(";")
            ),
        )]),
    }
}

/// Reads the records after the header, `width` cells each: the rows, and the lines that are
/// no rows.
fn rows(
    records: csv::StringRecordsIter<&[u8]>,
    text: &str,
    width: usize,
) -> (Vec<RawRow>, Vec<Violation>) {
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
        let flags = record.get(3).unwrap_or("").to_ascii_lowercase();
        rows.push(RawRow {
            at: format!("/lines/{line}"),
            traeger: Some(record[0].to_owned()),
            indicator: Some(record[1].to_owned()),
            value: Some(record[2].to_owned()),
            provisional: flags.contains('p'),
            revised: flags.contains('r'),
        });
    }
    (rows, errors)
}

/// Writes rows as CSV: the value column holds a number or BA's mark, so the file reads back in.
pub fn write(rows: &[DataRow], german: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if german {
        out.extend_from_slice(BOM);
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(if german { b';' } else { b',' })
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let _ = w.write_record(["traeger", "indicator", "value", "status", "flags"]);
    for r in rows {
        let value = match (&r.value, r.marker) {
            (_, Some(m)) => m.symbol().to_owned(),
            (Some(f), None) if german => f.with_decimal_comma(),
            (Some(f), None) => f.to_string(),
            (None, None) => String::new(),
        };
        let status = r.marker.map_or("", |m| m.as_str());
        let flags = format!(
            "{}{}",
            if r.provisional { "p" } else { "" },
            if r.revised { "r" } else { "" }
        );
        let _ = w.write_record([
            r.traeger.as_str(),
            r.indicator.as_str(),
            &value,
            status,
            &flags,
        ]);
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
