//! Reading what the service writes as a spreadsheet would: workbooks with calamine, and CSV
//! and workbooks through LibreOffice Calc itself (headless, German locale) where it is
//! installed. CI installs it and sets `ZV_REQUIRE_LIBREOFFICE=1`, so there a missing
//! LibreOffice fails the test instead of skipping it.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook's sheets, each as rows of cells.
pub fn read_workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            (n, range.rows().map(<[Data]>::to_vec).collect())
        })
        .collect()
}

/// A cell that must be text.
pub fn text(d: &Data) -> &str {
    match d {
        Data::String(s) => s,
        other => panic!("{other:?} is not text"),
    }
}

/// Where the header row names `title`.
pub fn column(header: &[Data], title: &str) -> usize {
    header
        .iter()
        .position(|h| *h == Data::String(title.into()))
        .unwrap_or_else(|| panic!("no column {title} in {header:?}"))
}

/// Whether LibreOffice can be asked; panics when CI requires it and it is missing.
pub fn libreoffice() -> bool {
    let found = Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("ZV_REQUIRE_LIBREOFFICE").as_deref() == Ok("1") {
        panic!("ZV_REQUIRE_LIBREOFFICE=1 but `soffice` is not installed");
    }
    found
}

/// `file` (named `name`, e.g. `facts.csv`) opened in LibreOffice Calc and saved as XLSX, as a
/// clerk in Germany would: CSV read as UTF-8 with `;`, `"` and a German locale, every other
/// option as LibreOffice's own defaults. Each call has its own profile, so tests run side by
/// side.
pub fn through_libreoffice(file: &[u8], name: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    std::fs::write(&input, file).unwrap();
    let out = dir.path().join("out");
    let profile = format!("file://{}", dir.path().join("profile").display());
    let mut soffice = Command::new("soffice");
    soffice
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&out);
    if name.ends_with(".csv") {
        // 59: `;`, 34: `"`, 76: UTF-8, 1: from line 1, no column types, 1031: German.
        soffice.arg("--infilter=CSV:59,34,76,1,,1031");
    }
    let done = soffice.arg(&input).output().unwrap();
    let stem = Path::new(name).file_stem().unwrap().to_str().unwrap();
    std::fs::read(out.join(format!("{stem}.xlsx"))).unwrap_or_else(|e| {
        panic!(
            "LibreOffice wrote nothing ({e}): {}",
            String::from_utf8_lossy(&done.stderr)
        )
    })
}
