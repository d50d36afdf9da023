//! The seed's flows through HTTP, step by step, as many tests begin: Landkreis Kassel signs
//! its 2023 agreement, drafts and submits its § 2 (3) figures, HMSI reviews them; HMSI asks BA
//! statistics for figures, uploads and forwards them.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use super::{TestApp, json};

/// The seeded 2023 agreement of Landkreis Kassel, signed by HMSI.
pub const KASSEL: &str = "/api/v1/agreements/zv-2023-06633-1";
/// Its § 2 (3) obligation: Schuldnerberatung, due 15 February 2024.
pub const DEBT: &str = "zv-2023-06633-1.3";
/// The submission of that obligation.
pub const SUB: &str = "/api/v1/submissions/sub-zv-2023-06633-1.3";
/// The first request to BA statistics of 2023.
pub const T: &str = "/api/v1/transmissions/ba-2023-1";

/// § 2 (3)'s four figures, the stock broken down by its two Schuldnerberatungsstellen.
pub fn debt_values(stock: i64, sgb2: i64, inflow: i64, inflow_sgb2: i64) -> Value {
    json!([
        {"indicator": "debt_counselling_stock", "value": stock, "breakdown": [
            {"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": stock - 181},
            {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 181}]},
        {"indicator": "debt_counselling_stock_sgb2", "value": sgb2},
        {"indicator": "debt_counselling_inflow", "value": inflow},
        {"indicator": "debt_counselling_inflow_sgb2", "value": inflow_sgb2}
    ])
}

/// A POST without a body.
pub async fn post(app: &TestApp, path: &str, token: &str) -> Response {
    app.request(Method::POST, path, Some(token))
        .send()
        .await
        .unwrap()
}

/// Kassel's signature block: the Landrat and the Erste Kreisbeigeordnete.
pub fn signature(place: &str, signed_on: &str) -> Value {
    json!({
        "signatories": [{"name": "Andreas Siebert", "function": "Landrat"},
                        {"name": "Silke Engler", "function": "Erste Kreisbeigeordnete"}],
        "place": place, "signed_on": signed_on
    })
}

/// `token` signs the agreement at `path` with `body`.
pub async fn sign(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    app.post(&format!("{path}/signatures"), Some(token), body)
        .await
}

/// The Landrat signs for Kassel on 10 February 2023: the agreement is in force.
pub async fn sign_kassel(app: &TestApp) {
    let body = json!({"signatories": [{"name": "Andreas Siebert", "function": "Landrat"}],
                      "place": "Kassel", "signed_on": "2023-02-10"});
    let path = format!("{KASSEL}/signatures");
    json(
        app.post(&path, Some(&app.traeger("06633")), &body).await,
        200,
    )
    .await;
}

/// Kassel drafts its § 2 (3) figures.
pub async fn draft_debt(app: &TestApp, values: Value) -> Value {
    let body = json!({"obligation_id": DEBT, "values": values});
    let res = app
        .post("/api/v1/submissions", Some(&app.traeger("06633")), &body)
        .await;
    json(res, 201).await
}

/// Kassel submits its draft.
pub async fn submit_debt(app: &TestApp) -> Value {
    let res = post(app, &format!("{SUB}/submit"), &app.traeger("06633")).await;
    json(res, 200).await
}

/// HMSI reviews what Kassel submitted.
pub async fn review(app: &TestApp, decision: Value) -> Response {
    app.post(&format!("{SUB}/review"), Some(&app.hmsi()), &decision)
        .await
}

/// One obligation of Kassel's agreement, where it stands as `token` sees it.
pub async fn obligation(app: &TestApp, token: &str, id: &str) -> Value {
    let list = json(
        app.get(&format!("{KASSEL}/obligations"), Some(token)).await,
        200,
    )
    .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap()
        .clone()
}

/// How many events the ledger holds (up to 1000).
pub async fn ledger_count(app: &TestApp) -> usize {
    json(
        app.get("/api/v1/audit-events?limit=1000", Some(&app.hmsi()))
            .await,
        200,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len()
}

/// HMSI asks BA statistics for 2023's figures of `indicators`.
pub async fn request_ba(app: &TestApp, indicators: Value) -> Value {
    let body = json!({"year": 2023, "indicators": indicators, "ba_reference": "Auftrag 2024-0117, Tabelle 3.2",
                      "requested_on": "2024-01-17", "note": "§ 2 (4)"});
    json(
        app.post("/api/v1/transmissions", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await
}

/// HMSI uploads BA's data as CSV to the first transmission (`path_query`: `?dry_run=true` …),
/// whatever its version (`If-Match: *`).
pub async fn put_csv(app: &TestApp, path_query: &str, csv: impl Into<Vec<u8>>) -> Response {
    app.request(
        Method::PUT,
        &format!("{T}/data{path_query}"),
        Some(&app.hmsi()),
    )
    .header("content-type", "text/csv")
    .header("If-Match", "*")
    .body(csv.into())
    .send()
    .await
    .unwrap()
}

/// `token` forwards the first transmission, whatever its version (`If-Match: *`).
pub async fn forward(app: &TestApp, token: &str) -> Response {
    app.request(Method::POST, &format!("{T}/forward"), Some(token))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap()
}

/// HMSI's signature block.
pub fn hmsi_signature() -> Value {
    json!({"signatories": [{"name": "Referatsleitung", "function": "Abteilung III"}],
           "place": "Wiesbaden", "signed_on": "2024-03-01"})
}

/// HMSI drafts the agreement of `traeger` for `year` (from the template, or a copy).
pub async fn draft(app: &TestApp, traeger: &str, year: i32, copy_from: Option<&str>) -> Value {
    let body = json!({"traeger": traeger, "year": year, "copy_from": copy_from});
    json(
        app.post("/api/v1/agreements", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await
}

/// The 26 Träger of the shipped registry, each with its Jobcenter, in the registry's order.
pub fn shipped_registry() -> Vec<Value> {
    let registry: Value =
        serde_json::from_str(include_str!("../../seed/traeger-hessen.json")).unwrap();
    registry["traeger"].as_array().unwrap().clone()
}

/// All 26 Träger from the shipped registry, with § 2 (4) values and Stadt Kassel suppressed.
pub fn registry_csv(value: impl Fn(usize, &str) -> String) -> String {
    let mut lines = vec!["traeger;indicator;value".to_owned()];
    for (i, t) in shipped_registry().iter().enumerate() {
        let ags = t["ags"].as_str().unwrap();
        lines.push(format!("{ags};psychosocial_care;{}", value(i, ags)));
    }
    lines.join("\r\n") + "\r\n"
}

/// § 2 (4) values: Stadt Kassel's suppressed, the others counted from 10.
pub fn psychosocial(i: usize, ags: &str) -> String {
    if ags == "06611" {
        "*".into()
    } else {
        (10 + i).to_string()
    }
}

/// HMSI asks BA for § 2 (4), forwards rows of Landkreis Kassel and Stadt Kassel only, and
/// Landkreis Kassel acknowledges them.
pub async fn forward_to_both_kassels(app: &TestApp) {
    request_ba(app, json!(["psychosocial_care"])).await;
    let csv = registry_csv(psychosocial)
        .lines()
        .filter(|l| l.starts_with("traeger") || l.starts_with("06633") || l.starts_with("06611"))
        .map(|l| format!("{l}\r\n"))
        .collect::<String>();
    json(put_csv(app, "", csv).await, 200).await;
    json(forward(app, &app.hmsi()).await, 200).await;
    let acknowledged = post(app, &format!("{T}/acknowledgements"), &app.traeger("06633")).await;
    json(acknowledged, 201).await;
}
