//! Every zkT's targets at a glance (`GET /reports/targets`) and an agreement's targets as a
//! chart and as German CSV, on SQLite and PostgreSQL: HMSI sees every zkT, a Träger its own,
//! and a figure known later never changes what was known before.

mod common;

use calamine::Data;
use common::kennzahlen::{T, ba_table, dieburg_targets_2024, put, request_kennzahlen, statuses};
use common::workbooks::{XLSX, column, read_workbook, text, through_libreoffice};
use common::{TestApp, json, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod in_november_2024 with |s| s.today = Some("2024-11-20".parse().unwrap());
    the_year_at_a_glance,
    targets_as_a_chart_and_as_csv,
    targets_as_a_workbook,
    the_report_refuses_what_it_cannot_answer,
);

const REPORT: &str = "/api/v1/reports/targets?year=2024";

/// Dieburg's agreement in force, BA's table for 2024 forwarded.
async fn judged_dieburg(app: &TestApp) -> &'static str {
    let path = dieburg_targets_2024(app).await;
    request_kennzahlen(app, json!(["k2", "k3"])).await;
    json(put(app, "", ba_table()).await, 200).await;
    let forwarded = app
        .request(Method::POST, &format!("{T}/forward"), Some(&app.hmsi()))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    json(forwarded, 200).await;
    path
}

fn targets_of(item: &Value) -> Vec<(String, String, String)> {
    statuses(&json!({"items": item["targets"]}))
}

async fn the_year_at_a_glance(app: TestApp) {
    judged_dieburg(&app).await;
    let all = json(app.get(REPORT, Some(&app.hmsi())).await, 200).await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one targets agreement in force");
    assert_eq!(
        (&items[0]["agreement_id"], &items[0]["traeger_name"]),
        (
            &json!("zv-2024-06432-1"),
            &json!("Landkreis Darmstadt-Dieburg")
        )
    );
    let met = vec![
        ("k2".to_owned(), "met".to_owned(), "26.7".to_owned()),
        ("k3".to_owned(), "met".to_owned(), "-2.87".to_owned()),
    ];
    assert_eq!(targets_of(&items[0]), met);

    // A Träger sees its own; a gE Träger has no targets agreement and sees none of another's.
    let own = json(app.get(REPORT, Some(&app.traeger("06432"))).await, 200).await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    let other = json(app.get(REPORT, Some(&app.traeger("06611"))).await, 200).await;
    assert_eq!(other["items"], json!([]));
    let jobcenter = json(app.get(REPORT, Some(&app.jobcenter("06633"))).await, 200).await;
    assert_eq!(jobcenter["items"], json!([]));

    // BA revises July: not met now, met as known on 1 November.
    let revised = ba_table().replace(
        "jc-06432;k3;2024-07;0,9713;2024-10-15",
        "jc-06432;k3;2024-07;0,9990;2024-11-12",
    );
    json(put(&app, "?reason=Korrektur%20K3", revised).await, 200).await;
    let now = json(app.get(REPORT, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        targets_of(&now["items"][0])[1],
        ("k3".into(), "not_met".into(), "-0.1".into())
    );
    let then = json(
        app.get(&format!("{REPORT}&as_of=2024-11-01"), Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(targets_of(&then["items"][0]), met);
    assert_eq!(then["as_of"], "2024-11-01");
}

async fn fetch(app: &TestApp, path: &str, accept: &str, token: &str) -> (String, String) {
    let res = app
        .request(Method::GET, path, Some(token))
        .header("Accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["vary"], "Accept, Accept-Language");
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    (kind, res.text().await.unwrap())
}

async fn targets_as_a_chart_and_as_csv(app: TestApp) {
    let path = judged_dieburg(&app).await;
    let hmsi = app.hmsi();
    let k3_row = "zv-2024-06432-1;\"=\"\"06432\"\"\";Landkreis Darmstadt-Dieburg;k3;\
        Veränderung des Bestands an Langzeitleistungsbeziehenden;change_vs_previous_year;at_most;\
        -0,25;2024-07;2024-07;-2,87;met;erreicht;0,9713;2024-10-15;ba-2024-1;1\r\n";
    for url in [REPORT.to_owned(), format!("{path}/targets")] {
        let (kind, csv) = fetch(&app, &url, "text/csv", &hmsi).await;
        assert_eq!(kind, "text/csv; charset=utf-8");
        assert!(csv.starts_with('\u{feff}'), "a BOM for German spreadsheets");
        let lines: Vec<&str> = csv.split_inclusive("\r\n").collect();
        assert_eq!(lines.len(), 3, "a header and a row per target: {csv}");
        assert!(lines[0].contains("agreement_id;traeger;traeger_name;indicator"));
        assert_eq!(lines[2], k3_row);

        let (kind, svg) = fetch(&app, &url, "image/svg+xml", &hmsi).await;
        assert_eq!(kind, "image/svg+xml");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Ziel Veränderung zum Vorjahr ≤ -0.25 % – erreicht"));
        assert!(
            svg.contains("k2 Integrationsquote: Ziel ≥ 25 – erreicht"),
            "{svg}"
        );
        assert!(svg.contains("Landkreis Darmstadt-Dieburg"));
    }
    // The Träger's own, as CSV too; JSON stays the default.
    let (_, own) = fetch(
        &app,
        &format!("{path}/targets"),
        "text/csv",
        &app.traeger("06432"),
    )
    .await;
    assert!(own.contains(";k2;Integrationsquote;level;at_least;25;"));
    let (kind, _) = fetch(&app, REPORT, "*/*", &hmsi).await;
    assert_eq!(kind, "application/json");
}

async fn targets_as_a_workbook(app: TestApp) {
    let path = judged_dieburg(&app).await;
    for url in [
        format!("{REPORT}&format=xlsx"),
        format!("{path}/targets?format=xlsx"),
    ] {
        let res = app.get(&url, Some(&app.hmsi())).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], XLSX);
        let book = read_workbook(&res.bytes().await.unwrap());
        let (name, rows) = &book[0];
        assert_eq!(name, "targets");
        assert_eq!(rows.len(), 3, "a header and a row per target");
        let at = |title: &str| column(&rows[0], title);
        let k3 = &rows[2];
        assert_eq!(text(&k3[at("traeger")]), "06432");
        assert_eq!(text(&k3[at("indicator")]), "k3");
        // Target and actual as numbers of one scale, the figure judged on and its Datenstand.
        assert_eq!(k3[at("target")], Data::Float(-0.25));
        assert_eq!(k3[at("actual")], Data::Float(-2.87));
        assert_eq!(k3[at("value")], Data::Float(0.9713));
        assert_eq!(text(&k3[at("status")]), "met");
        assert_eq!(text(&k3[at("status_de")]), "erreicht");
        let Data::DateTime(day) = &k3[at("data_as_of")] else {
            panic!("{:?} is no date", k3[at("data_as_of")]);
        };
        // Excel's day number: days since 30 December 1899.
        let epoch: chrono::NaiveDate = "1899-12-30".parse().unwrap();
        let expected: chrono::NaiveDate = "2024-10-15".parse().unwrap();
        assert_eq!(day.as_f64(), (expected - epoch).num_days() as f64);
        assert_eq!(k3[at("version")], Data::Float(1.0));
    }
    // By `Accept`, titled in German; the Träger its own.
    let res = app
        .request(Method::GET, REPORT, Some(&app.traeger("06432")))
        .header("Accept", XLSX)
        .header("Accept-Language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"targets-2024.xlsx\""
    );
    let bytes = res.bytes().await.unwrap();
    let book = read_workbook(&bytes);
    assert_eq!(book[0].0, "Ziele");
    assert_eq!(
        book[0].1[0][..3],
        [
            Data::String("Vereinbarung".into()),
            Data::String("AGS".into()),
            Data::String("Träger".into())
        ]
    );
    // Calc opens it with the AGS intact.
    if common::workbooks::libreoffice() {
        let calc = read_workbook(&through_libreoffice(&bytes, "t.xlsx"));
        assert_eq!(calc[0].1[1][1], Data::String("06432".into()));
    }
}

async fn the_report_refuses_what_it_cannot_answer(app: TestApp) {
    judged_dieburg(&app).await;
    problem(app.get(REPORT, None).await, 401).await;
    problem(app.get(REPORT, Some("not-a-token")).await, 401).await;
    let write_only = app.sign(app.claims("hmsi", None, "write"));
    problem(app.get(REPORT, Some(&write_only)).await, 403).await;
    for bad in [
        "/api/v1/reports/targets",
        "/api/v1/reports/targets?year=zwei",
        "/api/v1/reports/targets?year=1900",
        "/api/v1/reports/targets?year=2024&as_of=1.11.2024",
        "/api/v1/reports/targets?year=2024&traeger=06432",
        "/api/v1/reports/targets?year=2024&format=xls",
    ] {
        problem(app.get(bad, Some(&app.hmsi())).await, 400).await;
    }
    // Another Träger's agreement: as if it did not exist, in every form.
    let other = app.traeger("06611");
    for accept in ["application/json", "text/csv", "image/svg+xml", XLSX] {
        let res = app
            .request(
                Method::GET,
                "/api/v1/agreements/zv-2024-06432-1/targets",
                Some(&other),
            )
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        problem(res, 404).await;
    }
}
