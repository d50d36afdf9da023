//! Spreadsheets through HTTP, on SQLite and PostgreSQL, read back with a real workbook reader
//! (calamine): the facts export as XLSX keeps every AGS as text and every amount a number,
//! BA's marks as text beside their status, titles in German on request.

mod common;

use calamine::Data;
use common::seed::{
    debt_values, draft_debt, forward, put_csv, request_ba, review, sign_kassel, submit_debt,
};
use common::workbooks::{XLSX, column, read_workbook, text, through_libreoffice};
use common::{TestApp, json, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    kassels_facts_open_with_every_ags_and_amount_intact,
    a_workbook_is_for_those_who_may_read_it,
    libreoffice_keeps_every_ags_and_reads_every_amount_as_a_number,
);

/// Kassel's § 2 (3) figures accepted; BA's § 2 (2) figures and § 4 costs forwarded, Stadt
/// Kassel's suppressed.
async fn kassel_2023(app: &TestApp) {
    sign_kassel(app).await;
    draft_debt(app, debt_values(412, 187, 268, 121)).await;
    submit_debt(app).await;
    json(review(app, json!({"decision": "accept"})).await, 200).await;
    request_ba(app, json!(["care_of_relatives", "initial_equipment_home"])).await;
    let csv = "traeger;indicator;value\n06633;care_of_relatives;88\n06611;care_of_relatives;*\n\
               06633;initial_equipment_home;\"52.300,10\"\n";
    json(put_csv(app, "", csv).await, 200).await;
    json(forward(app, &app.hmsi()).await, 200).await;
}

async fn workbook(app: &TestApp, query: &str, token: &str, language: &str) -> reqwest::Response {
    app.request(
        Method::GET,
        &format!("/api/v1/exports/facts{query}"),
        Some(token),
    )
    .header("Accept", XLSX)
    .header("Accept-Language", language)
    .send()
    .await
    .unwrap()
}

async fn kassels_facts_open_with_every_ags_and_amount_intact(app: TestApp) {
    kassel_2023(&app).await;
    let res = workbook(&app, "?year=2023", &app.hmsi(), "en").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], XLSX);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"facts-2023.xlsx\""
    );
    let sheets = read_workbook(&res.bytes().await.unwrap());
    let (name, rows) = &sheets[0];
    assert_eq!(name, "facts");
    let header: Vec<&str> = rows[0].iter().map(text).collect();
    assert_eq!(header[..3], ["year", "traeger", "traeger_name"]);
    let col = |title: &str| header.iter().position(|h| *h == title).unwrap();

    // The same facts as the JSON export, cell for cell in their types.
    let facts = json(
        app.get("/api/v1/exports/facts?year=2023", Some(&app.hmsi()))
            .await,
        200,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len() - 1, facts.len());
    for (row, fact) in rows[1..].iter().zip(&facts) {
        // The AGS is text with its leading zero, never the number 6633.
        assert_eq!(text(&row[col("traeger")]), fact["traeger"]);
        assert!(text(&row[col("traeger")]).starts_with('0'));
        assert_eq!(row[col("year")], Data::Float(2023.0));
        match (&fact["value"], &fact["status"]) {
            (Value::Null, Value::String(status)) => {
                assert_eq!(text(&row[col("value")]), "*", "BA's mark as BA prints it");
                assert_eq!(text(&row[col("status")]), status);
            }
            (Value::Number(n), _) => {
                assert_eq!(row[col("value")], Data::Float(n.as_f64().unwrap()));
            }
            (Value::String(amount), _) => {
                let exact: f64 = amount.parse().unwrap();
                assert_eq!(
                    row[col("value")],
                    Data::Float(exact),
                    "an amount is a number"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(row[col("changed_at")], Data::DateTime(_)));
        assert_eq!(row[col("late")], Data::Bool(fact["late"] == true));
    }
    let euro = rows
        .iter()
        .find(|r| r[col("indicator")] == Data::String("initial_equipment_home".into()))
        .unwrap();
    assert_eq!(euro[col("value")], Data::Float(52300.1));
    // A stock's reference day is a date.
    let stock = rows
        .iter()
        .find(|r| r[col("indicator")] == Data::String("debt_counselling_stock".into()))
        .unwrap();
    assert!(matches!(stock[col("reference")], Data::DateTime(_)));

    // For people in Germany: German titles and sheet name.
    let german = workbook(&app, "?year=2023", &app.hmsi(), "de-DE").await;
    let sheets = read_workbook(&german.bytes().await.unwrap());
    assert_eq!(sheets[0].0, "Fakten");
    let titles: Vec<&str> = sheets[0].1[0].iter().map(text).collect();
    assert_eq!(titles[..3], ["Jahr", "AGS", "Träger"]);
    // `format=xlsx` asks for it without `Accept`.
    let asked = app
        .get(
            "/api/v1/exports/facts?year=2023&format=xlsx",
            Some(&app.hmsi()),
        )
        .await;
    assert_eq!(asked.headers()["content-type"], XLSX);
}

async fn a_workbook_is_for_those_who_may_read_it(app: TestApp) {
    kassel_2023(&app).await;
    // Kassel's own facts only; Stadt Kassel's suppressed cell is not in them.
    let own = workbook(&app, "", &app.traeger("06633"), "en").await;
    let sheets = read_workbook(&own.bytes().await.unwrap());
    let rows = &sheets[0].1;
    assert!(rows.len() > 1);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[1] == Data::String("06633".into()))
    );
    problem(workbook(&app, "", "not-a-token", "en").await, 401).await;
    let res = app
        .request(Method::GET, "/api/v1/exports/facts?format=xlsx", None)
        .send()
        .await
        .unwrap();
    problem(res, 401).await;
    let write_only = app.sign(app.claims("hmsi", None, "write"));
    problem(workbook(&app, "", &write_only, "en").await, 403).await;
    for bad in ["?format=xls", "?year=zwei", "?traeger=6633"] {
        problem(workbook(&app, bad, &app.hmsi(), "en").await, 400).await;
    }
}

/// Each fact of the JSON export against its row as LibreOffice Calc read it: the AGS text
/// with its zero, counts and amounts numbers, BA's mark as BA prints it.
fn same_as_json(rows: &[Vec<Data>], facts: &[Value]) {
    let header = &rows[0];
    let (ags, value) = (column(header, "traeger"), column(header, "value"));
    assert_eq!(rows.len() - 1, facts.len());
    for (row, fact) in rows[1..].iter().zip(facts) {
        assert_eq!(text(&row[ags]), fact["traeger"], "{row:?}");
        let expected = match &fact["value"] {
            Value::Null => Data::String("*".into()),
            Value::Number(n) => Data::Float(n.as_f64().unwrap()),
            Value::String(amount) => Data::Float(amount.parse().unwrap()),
            other => panic!("{other:?}"),
        };
        assert_eq!(row[value], expected, "{row:?}");
    }
}

async fn libreoffice_keeps_every_ags_and_reads_every_amount_as_a_number(app: TestApp) {
    if !common::workbooks::libreoffice() {
        return;
    }
    kassel_2023(&app).await;
    let hmsi = app.hmsi();
    let facts = json(
        app.get("/api/v1/exports/facts?year=2023", Some(&hmsi))
            .await,
        200,
    )
    .await;
    let facts = facts["items"].as_array().unwrap();
    assert!(
        facts
            .iter()
            .any(|f| f["traeger"] == "06611" && f["status"] == "suppressed")
    );

    // The German CSV, opened in Calc with a German locale and Calc's own defaults.
    let csv = app
        .get(
            "/api/v1/exports/facts?year=2023&format=csv&csv=de",
            Some(&hmsi),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let calc = read_workbook(&through_libreoffice(&csv, "facts.csv"));
    same_as_json(&calc[0].1, facts);

    // The workbook, opened and saved again by Calc.
    let xlsx = app
        .get("/api/v1/exports/facts?year=2023&format=xlsx", Some(&hmsi))
        .await
        .bytes()
        .await
        .unwrap();
    let calc = read_workbook(&through_libreoffice(&xlsx, "facts.xlsx"));
    same_as_json(&calc[0].1, facts);
}
