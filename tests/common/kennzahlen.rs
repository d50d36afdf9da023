//! BA's Kennzahlen for tests: the transmission that asks for them, BA's table for every
//! Jobcenter, and Darmstadt-Dieburg's 2024 targets agreement on K2 and K3.

use reqwest::Method;
use serde_json::{Value, json};

use super::{TestApp, json};

pub const T: &str = "/api/v1/transmissions/ba-2024-1";

pub async fn request_kennzahlen(app: &TestApp, indicators: Value) {
    let body = json!({"year": 2024, "indicators": indicators, "ba_reference": "Kennzahlen nach § 48a SGB II",
                      "requested_on": "2024-10-20"});
    json(
        app.post("/api/v1/transmissions", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await;
}

pub async fn put(app: &TestApp, query: &str, csv: String) -> reqwest::Response {
    app.request(Method::PUT, &format!("{T}/data{query}"), Some(&app.hmsi()))
        .header("content-type", "text/csv")
        .header("If-Match", "*")
        .body(csv)
        .send()
        .await
        .unwrap()
}

/// Each Träger's AGS and its Jobcenter's id.
pub fn registry() -> Vec<(String, String)> {
    super::seed::shipped_registry()
        .iter()
        .map(|t| {
            (
                t["ags"].as_str().unwrap().to_owned(),
                t["jobcenter"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// BA's table as German spreadsheets write it: every Jobcenter (by its id, as BA lists them),
/// K2 and K3 for the twelve months of 2024, Datenstand 15 October 2024 (Darmstadt's K3 of July
/// suppressed).
pub fn ba_table() -> String {
    let mut lines = vec!["traeger;indicator;month;value;data_as_of".to_owned()];
    for (i, (_, jobcenter)) in registry().iter().enumerate() {
        for month in 1..=12 {
            let k2 = format!("{},{}", 20 + i % 7, month % 10);
            let k3 = if jobcenter == "jc-06411" && month == 7 {
                "*".to_owned()
            } else {
                format!("0,97{:02}", (i + month) % 100)
            };
            lines.push(format!("{jobcenter};k2;2024-{month:02};{k2};2024-10-15"));
            lines.push(format!("{jobcenter};k3;2024-{month:02};{k3};2024-10-15"));
        }
    }
    lines.join("\r\n") + "\r\n"
}

/// Darmstadt-Dieburg's 2024 targets agreement on K2 and K3, signed by both.
pub async fn dieburg_targets_2024(app: &TestApp) -> &'static str {
    let hmsi = app.hmsi();
    let draft = json!({"traeger": "06432", "year": 2023});
    json(
        app.post("/api/v1/agreements", Some(&hmsi), &draft).await,
        201,
    )
    .await;
    let next = json!({"traeger": "06432", "year": 2024, "copy_from": "zv-2023-06432-1"});
    let created = json(
        app.post("/api/v1/agreements", Some(&hmsi), &next).await,
        201,
    )
    .await;
    let path = "/api/v1/agreements/zv-2024-06432-1";
    let a = &created["agreement"];
    let body = json!({
        "kind": "targets", "legal_basis": a["legal_basis"], "benefits": a["benefits"],
        "sections": a["sections"], "obligations": [],
        "targets": [
            {"indicator": "k2", "comparison": "level", "operator": "at_least", "value": "25.0", "judged_on": "2024-07"},
            {"indicator": "k3", "comparison": "change_vs_previous_year", "operator": "at_most", "value": "-0.25", "judged_on": "2024-07"}
        ]
    });
    let tag = format!("\"{}\"", a["version"]);
    json(app.put(path, Some(&hmsi), Some(&tag), &body).await, 200).await;
    for (token, place) in [(app.traeger("06432"), "Dieburg"), (hmsi, "Wiesbaden")] {
        let signature = json!({"signatories": [{"name": "N. N.", "function": "Landrat"}],
                               "place": place, "signed_on": "2024-02-01"});
        json(
            app.post(&format!("{path}/signatures"), Some(&token), &signature)
                .await,
            200,
        )
        .await;
    }
    path
}

pub fn statuses(report: &Value) -> Vec<(String, String, String)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["indicator"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
                i["actual"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}
