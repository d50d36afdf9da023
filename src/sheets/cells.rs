//! CSV cells as spreadsheets read them. Excel and LibreOffice Calc open a CSV file by guessing
//! each cell's type: `06633` becomes the number 6633 and a Träger's AGS no longer matches the
//! registry, and a cell starting with `=` is run as a formula. The German dialect, written for
//! those spreadsheets, therefore writes an identifier of digits as the formula `="06633"`
//! (both evaluate it to the text `06633`) and defuses any other text a spreadsheet would run
//! (OWASP's CSV injection: a leading `'`). The plain dialect stays RFC 4180 for machines.

use std::borrow::Cow;

/// An identifier (an AGS, a Jobcenter id) as a spreadsheet keeps it: with `german`, digits
/// only as `="06633"`; anything else unchanged.
pub fn identifier(id: &str, german: bool) -> Cow<'_, str> {
    if german && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Cow::Owned(format!("=\"{id}\""))
    } else {
        Cow::Borrowed(id)
    }
}

/// A text someone typed (a name, a text figure) as a spreadsheet shows it: with `german`, one
/// starting with what a spreadsheet would run as a formula gets a leading `'`.
pub fn text(text: &str, german: bool) -> Cow<'_, str> {
    let runs = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if german && runs {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell read back: `="06633"` as `06633`, anything else unchanged.
pub fn read(cell: &str) -> &str {
    cell.strip_prefix("=\"")
        .and_then(|inner| inner.strip_suffix('"'))
        .filter(|inner| !inner.contains('"'))
        .unwrap_or(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_of_digits_keep_their_zero_in_german_spreadsheets_only() {
        assert_eq!(identifier("06633", true), "=\"06633\"");
        assert_eq!(identifier("06633", false), "06633");
        assert_eq!(identifier("zv-2023-06633-1", true), "zv-2023-06633-1");
        assert_eq!(identifier("", true), "");
        assert_eq!(read(&identifier("06633", true)), "06633");
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_defused() {
        assert_eq!(text("=HYPERLINK(\"x\")", true), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+49", true), "'+49");
        assert_eq!(text("@SUM(A1)", true), "'@SUM(A1)");
        assert_eq!(text("-1", false), "-1");
        assert_eq!(text("Landkreis Kassel", true), "Landkreis Kassel");
    }

    #[test]
    fn only_a_whole_formula_of_one_text_is_read_as_that_text() {
        assert_eq!(read("=\"06611\""), "06611");
        assert_eq!(read("=\"a\"&\"b\""), "=\"a\"&\"b\"");
        assert_eq!(read("06611"), "06611");
        assert_eq!(read("=1+1"), "=1+1");
    }
}
