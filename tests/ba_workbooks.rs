//! BA's workbooks as they come, on SQLite and PostgreSQL: a wide sheet for all 26 Träger (one
//! row per Jobcenter, one column per Kennzahl) under a title and merged headings and above
//! footnotes, imported in one call; its dry run names the sheet, row and column of every bad
//! cell.

mod common;

use common::kennzahlen::{T, request_kennzahlen};
use common::workbooks::XLSX;
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};

on_both_backends!(
    mod in_november_2024 with |s| s.today = Some("2024-11-20".parse().unwrap());
    a_wide_workbook_for_all_26_imports_in_one_call,
    the_dry_run_names_each_bad_cell,
    a_workbook_is_refused_when_it_is_not_one,
);

/// Each Träger's AGS and its Jobcenter's name.
fn registry() -> Vec<(String, String)> {
    common::seed::shipped_registry()
        .iter()
        .map(|t| {
            let ags = t["ags"].as_str().unwrap().to_owned();
            (ags, t["jobcenter"]["name"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// BA's table of July 2024 as BA lays it out: a title, a merged heading over the figures, a
/// row per Jobcenter (the AGS typed as a number, so without its zero, as spreadsheets keep
/// it), K2 by its code and K3 under BA's own words, Darmstadt's K3 suppressed, footnotes.
/// `bad` replaces cells: (row from 0, column, text).
fn ba_workbook(bad: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Tabelle1").unwrap();
    let bold = Format::new().set_bold();
    sheet
        .merge_range(
            0,
            0,
            0,
            3,
            "Kennzahlen nach § 48a SGB II – Berichtsmonat Juli 2024",
            &bold,
        )
        .unwrap();
    sheet.merge_range(1, 2, 1, 3, "Kennzahlen", &bold).unwrap();
    for (col, heading) in ["AGS", "Jobcenter", "K2", "Veränderung LZB"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, col as u16, *heading).unwrap();
    }
    for (i, (ags, name)) in registry().iter().enumerate() {
        let row = 3 + i as u32;
        sheet
            .write_number(row, 0, ags.parse::<f64>().unwrap())
            .unwrap();
        sheet.write_string(row, 1, name).unwrap();
        sheet.write_number(row, 2, 20.0 + i as f64 / 10.0).unwrap();
        if ags == "06411" {
            sheet.write_string(row, 3, "*").unwrap();
        } else {
            sheet
                .write_number(row, 3, 0.97 + i as f64 / 1000.0)
                .unwrap();
        }
    }
    sheet
        .write_string(
            30,
            0,
            "* Wert aus Gründen der statistischen Geheimhaltung unterdrückt",
        )
        .unwrap();
    sheet
        .merge_range(
            31,
            0,
            31,
            3,
            "Quelle: Statistik der Bundesagentur für Arbeit",
            &Format::new(),
        )
        .unwrap();
    for (row, col, text) in bad {
        sheet.write_string(*row, *col, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

const MAPPED: &str = "?month=2024-07&data_as_of=2024-10-15&map=Ver%C3%A4nderung%20LZB%3Dk3";

async fn upload(app: &TestApp, query: &str, body: Vec<u8>) -> reqwest::Response {
    app.request(Method::PUT, &format!("{T}/data{query}"), Some(&app.hmsi()))
        .header("content-type", XLSX)
        .header("If-Match", "*")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn a_wide_workbook_for_all_26_imports_in_one_call(app: TestApp) {
    request_kennzahlen(&app, json!(["k2", "k3"])).await;
    let imported = json(upload(&app, MAPPED, ba_workbook(&[])).await, 200).await;
    assert_eq!(
        imported["summary"],
        json!({"new": 52, "changed": 0, "unchanged": 0, "removed": 0})
    );
    let rows = json(app.get(&format!("{T}/data"), Some(&app.hmsi())).await, 200).await["rows"]
        .as_array()
        .unwrap()
        .clone();
    let find = |ags: &str, k: &str| {
        rows.iter()
            .find(|r| r["traeger"] == ags && r["indicator"] == k)
            .cloned()
            .unwrap()
    };
    // The AGS got its zero back; the numbers are exact; BA's mark stayed a mark.
    let darmstadt = find("06411", "k3");
    assert_eq!(
        (darmstadt["value"].clone(), darmstadt["status"].clone()),
        (Value::Null, json!("suppressed"))
    );
    assert_eq!(find("06411", "k2")["value"], "20");
    assert_eq!(find("06412", "k2")["value"], "20.1");
    assert_eq!(find("06412", "k3")["value"], "0.971");
    assert_eq!(
        (
            find("06412", "k3")["month"].clone(),
            find("06412", "k3")["data_as_of"].clone()
        ),
        (json!("2024-07"), json!("2024-10-15"))
    );
    // The same workbook again changes nothing.
    let again = json(
        upload(&app, &format!("{MAPPED}&dry_run=true"), ba_workbook(&[])).await,
        200,
    )
    .await;
    assert_eq!(again["summary"]["unchanged"], 52);
}

async fn the_dry_run_names_each_bad_cell(app: TestApp) {
    request_kennzahlen(&app, json!(["k2", "k3"])).await;
    // Row 7 (from 0: 6) names no Träger; C9 is no number; D12 is empty.
    let bad = ba_workbook(&[(6, 0, "99999"), (8, 2, "viel"), (11, 3, " ")]);
    let refused = problem(
        upload(&app, &format!("{MAPPED}&dry_run=true"), bad.clone()).await,
        422,
    )
    .await;
    let mut at = pointers(&refused);
    at.sort();
    at.dedup();
    assert_eq!(
        at,
        ["Tabelle1!A7", "Tabelle1!C9", "Tabelle1!D12"],
        "{refused:#}"
    );
    // Nothing was stored, dry run or not.
    problem(upload(&app, MAPPED, bad).await, 422).await;
    let t = json(app.get(T, Some(&app.hmsi())).await, 200).await;
    assert_eq!(t["status"], "requested");
    // A Kennzahl without its month: the query parameter is named.
    let no_month = problem(
        upload(
            &app,
            "?data_as_of=2024-10-15&map=Ver%C3%A4nderung%20LZB%3Dk3",
            ba_workbook(&[]),
        )
        .await,
        422,
    )
    .await;
    assert!(
        pointers(&no_month).iter().all(|p| p == "?month"),
        "{no_month:#}"
    );
}

async fn a_workbook_is_refused_when_it_is_not_one(app: TestApp) {
    request_kennzahlen(&app, json!(["k2", "k3"])).await;
    problem(
        upload(&app, MAPPED, b"traeger;indicator;value".to_vec()).await,
        422,
    )
    .await;
    // Headings that name nothing this transmission serves.
    let unmapped = problem(
        upload(
            &app,
            "?month=2024-07&data_as_of=2024-10-15&map=K7%3Dk7",
            ba_workbook(&[(2, 2, "Quote")]),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(pointers(&unmapped), ["Tabelle1!A1"]);
    problem(upload(&app, "?map=K2", ba_workbook(&[])).await, 400).await;
    problem(upload(&app, "?sheet=Tabelle9", ba_workbook(&[])).await, 422).await;
    // Workbook parameters with CSV are a mistake, said so.
    let csv = app
        .request(
            Method::PUT,
            &format!("{T}/data?month=2024-07"),
            Some(&app.hmsi()),
        )
        .header("content-type", "text/csv")
        .header("If-Match", "*")
        .body("traeger;indicator;value\n")
        .send()
        .await
        .unwrap();
    problem(csv, 400).await;
    // Only HMSI uploads.
    let traeger = app
        .request(
            Method::PUT,
            &format!("{T}/data{MAPPED}"),
            Some(&app.traeger("06432")),
        )
        .header("content-type", XLSX)
        .header("If-Match", "*")
        .body(ba_workbook(&[]))
        .send()
        .await
        .unwrap();
    problem(traeger, 403).await;
}
