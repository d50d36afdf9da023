//! BA's monthly Kennzahlen (§ 48a SGB II) through transmissions, on SQLite and PostgreSQL:
//! BA's long table for all Jobcenter with month and Datenstand, a revised month as a new
//! version with its later vintage, every version readable.

mod common;

use common::kennzahlen::{T, ba_table, dieburg_targets_2024, put, request_kennzahlen, statuses};
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod in_november_2024 with |s| s.today = Some("2024-11-20".parse().unwrap());
    twelve_months_for_every_jobcenter_and_a_revision,
    monthly_rows_are_checked,
    a_zkt_target_is_judged_before_and_after_a_revision,
    a_target_on_the_traegers_own_figures_is_judged_on_what_was_accepted,
);

async fn rows(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    json(app.get(path, Some(token)).await, 200).await["rows"]
        .as_array()
        .unwrap()
        .clone()
}

async fn twelve_months_for_every_jobcenter_and_a_revision(app: TestApp) {
    request_kennzahlen(&app, json!(["k2", "k3"])).await;
    let imported = json(put(&app, "", ba_table()).await, 200).await;
    assert_eq!(
        imported["summary"],
        json!({"new": 26 * 12 * 2, "changed": 0, "unchanged": 0, "removed": 0})
    );

    let all = rows(&app, &format!("{T}/data"), &app.hmsi()).await;
    let dieburg_july = |rows: &[Value], k: &str| {
        rows.iter()
            .find(|r| r["traeger"] == "06432" && r["indicator"] == k && r["month"] == "2024-07")
            .cloned()
            .unwrap()
    };
    // Jobcenter ids became their Träger; decimal commas exact decimals; the Datenstand kept.
    assert_eq!(
        dieburg_july(&all, "k2"),
        json!({"traeger": "06432", "indicator": "k2", "month": "2024-07", "value": "26.7",
               "status": null, "provisional": false, "revised": false, "data_as_of": "2024-10-15"})
    );
    let darmstadt = all
        .iter()
        .find(|r| r["traeger"] == "06411" && r["indicator"] == "k3" && r["month"] == "2024-07")
        .unwrap();
    assert_eq!(
        (darmstadt["value"].clone(), darmstadt["status"].clone()),
        (Value::Null, json!("suppressed"))
    );

    // What was written reads back in unchanged, as CSV for German spreadsheets too.
    let csv = app
        .get(&format!("{T}/data?format=csv&csv=de"), Some(&app.hmsi()))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("traeger;indicator;value;status;flags;month;data_as_of")
    );
    let again = json(put(&app, "?dry_run=true", csv).await, 200).await;
    assert_eq!(again["summary"]["unchanged"], 26 * 12 * 2);

    // Forwarded: Darmstadt-Dieburg sees its own 24 rows.
    let forwarded = app
        .request(Method::POST, &format!("{T}/forward"), Some(&app.hmsi()))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    json(forwarded, 200).await;
    let own = rows(&app, &format!("{T}/data"), &app.traeger("06432")).await;
    assert_eq!(own.len(), 24);

    // BA revises July for Darmstadt-Dieburg with a later Datenstand: a new version.
    let revised = ba_table().replace(
        "jc-06432;k3;2024-07;0,9713;2024-10-15",
        "jc-06432;k3;2024-07;0,9688;2024-11-12",
    );
    assert!(revised != ba_table(), "the revision changes one row");
    let res = put(
        &app,
        "?reason=Korrektur%20K3%20Juli%20(Datenstand%20November)",
        revised,
    )
    .await;
    assert_eq!(json(res, 200).await["summary"]["changed"], 1);
    let v2 = json(
        app.get(&format!("{T}/versions/2"), Some(&app.hmsi())).await,
        200,
    )
    .await;
    assert_eq!(v2["changes"].as_array().unwrap().len(), 1);
    let change = &v2["changes"][0];
    assert_eq!(
        (change["traeger"].as_str(), change["month"].as_str()),
        (Some("06432"), Some("2024-07"))
    );
    assert_eq!(
        (
            change["before"]["data_as_of"].as_str(),
            change["after"]["data_as_of"].as_str()
        ),
        (Some("2024-10-15"), Some("2024-11-12"))
    );
    assert_eq!(change["after"]["value"], "0.9688");
    // Every version stays readable with its own vintage.
    let v1 = rows(&app, &format!("{T}/data?version=1"), &app.hmsi()).await;
    assert_eq!(dieburg_july(&v1, "k3")["value"], "0.9713");

    // The facts export names a Kennzahl's month as its reference.
    let facts = app
        .get(
            "/api/v1/exports/facts?year=2024&indicator=k2&traeger=06432&format=json",
            Some(&app.hmsi()),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        facts.contains("\"reference\":\"2024-07\""),
        "{}",
        &facts[..facts.len().min(400)]
    );

    // The series runs month by month: twelve months of K3 for Darmstadt-Dieburg, July as
    // revised (the Träger sees it only once the revision is forwarded), Darmstadt's July
    // suppressed, never 0.
    let series = |token: String, traeger: &'static str| {
        let app = &app;
        async move {
            let path = format!("/api/v1/reports/series?indicator=k3&traeger={traeger}&from=2024");
            json(app.get(&path, Some(&token)).await, 200).await["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let months = series(app.hmsi(), "06432").await;
    let labels: Vec<&str> = months
        .iter()
        .map(|p| p["month"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 12);
    assert_eq!((labels[0], labels[11]), ("2024-01", "2024-12"));
    assert_eq!(months[6]["value"], "0.9688");
    let own = series(app.traeger("06432"), "06432").await;
    assert_eq!(own[6]["value"], "0.9713", "not forwarded yet");
    let darmstadt = series(app.hmsi(), "06411").await;
    assert_eq!(
        (
            darmstadt[6]["value"].clone(),
            darmstadt[6]["status"].clone()
        ),
        (Value::Null, json!("suppressed"))
    );
    let csv = app
        .request(
            Method::GET,
            "/api/v1/reports/series?indicator=k3&traeger=06432&from=2024",
            Some(&app.hmsi()),
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("2024;2024-07;\"=\"\"06432\"\"\";Landkreis Darmstadt-Dieburg;0,9688;"),
        "{csv}"
    );
}

async fn monthly_rows_are_checked(app: TestApp) {
    request_kennzahlen(&app, json!(["k2", "psychosocial_care"])).await;
    let csv = [
        "traeger,indicator,month,value,data_as_of",
        "06432,k2,,22.3,2024-10-15",
        "06432,k2,2023-07,22.3,2024-10-15",
        "06432,k2,2024-13,22.3,2024-10-15",
        "06432,k2,2024-07,22.3,",
        "06432,k2,2024-08,22.3,15.10.2024",
        "06432,psychosocial_care,2024-07,17,",
        "jc-99999,k2,2024-09,22.3,2024-10-15",
        "06432,k2,2024-10,22.345678,2024-10-15",
        "06432,k2,2024-11,-1.5,2024-10-15",
        "06432,k2,2024-11,-1.5,2024-10-15",
    ]
    .join("\n");
    let p = problem(put(&app, "", csv).await, 422).await;
    assert_eq!(
        pointers(&p),
        [
            "/lines/2/month",
            "/lines/3/month",
            "/lines/4/month",
            "/lines/5/data_as_of",
            "/lines/6/data_as_of",
            "/lines/7/month",
            "/lines/8/traeger",
            "/lines/9/value",
            "/lines/11"
        ]
    );
    let twice = p["errors"].as_array().unwrap().last().unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(twice.contains("`k2` of 2024-11 are given twice"), "{twice}");
    // Nothing was stored.
    let t = json(app.get(T, Some(&app.hmsi())).await, 200).await;
    assert_eq!(t["status"], "requested");
}

async fn a_zkt_target_is_judged_before_and_after_a_revision(app: TestApp) {
    let path = dieburg_targets_2024(&app).await;
    let targets = format!("{path}/targets");
    // Nothing from BA yet: pending.
    let none = json(app.get(&targets, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        statuses(&none),
        [
            ("k2".into(), "pending".into(), "".into()),
            ("k3".into(), "pending".into(), "".into())
        ]
    );

    request_kennzahlen(&app, json!(["k2", "k3"])).await;
    json(put(&app, "", ba_table()).await, 200).await;
    let forwarded = app
        .request(Method::POST, &format!("{T}/forward"), Some(&app.hmsi()))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    json(forwarded, 200).await;
    // K2 in July 26.7 ≥ 25.0; K3 0.9713, a fall of 2.87 % ≤ −0.25 %: both met.
    let before = json(app.get(&targets, Some(&app.hmsi())).await, 200).await;
    let met = [
        ("k2".to_owned(), "met".to_owned(), "26.7".to_owned()),
        ("k3".to_owned(), "met".to_owned(), "-2.87".to_owned()),
    ];
    assert_eq!(statuses(&before), met);
    let k3 = &before["items"][1];
    assert_eq!(k3["judged"]["data_as_of"], "2024-10-15");
    assert_eq!(k3["series"].as_array().unwrap().len(), 12);
    assert_eq!(
        k3["name_de"],
        "Veränderung des Bestands an Langzeitleistungsbeziehenden"
    );

    // BA revises July: K3 0.9990, a fall of only 0.1 % — not met, on the November Datenstand.
    let revised = ba_table().replace(
        "jc-06432;k3;2024-07;0,9713;2024-10-15",
        "jc-06432;k3;2024-07;0,9990;2024-11-12",
    );
    json(put(&app, "?reason=Korrektur%20K3", revised).await, 200).await;
    let after = json(app.get(&targets, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        statuses(&after)[1],
        ("k3".into(), "not_met".into(), "-0.1".into())
    );
    assert_eq!(after["items"][1]["judged"]["data_as_of"], "2024-11-12");
    // As known on 1 November, before the revision: met, on the October Datenstand.
    let then = json(
        app.get(&format!("{targets}?as_of=2024-11-01"), Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(statuses(&then), met);
    assert_eq!(then["as_of"], "2024-11-01");

    // The Träger judges on what was forwarded to it: the revision is not yet.
    let own = json(app.get(&targets, Some(&app.traeger("06432"))).await, 200).await;
    assert_eq!(statuses(&own), met);
    problem(app.get(&targets, Some(&app.traeger("06611"))).await, 404).await;
    problem(app.get(&targets, None).await, 401).await;
    problem(
        app.get(&format!("{targets}?as_of=1.11.2024"), Some(&app.hmsi()))
            .await,
        400,
    )
    .await;
}

async fn a_target_on_the_traegers_own_figures_is_judged_on_what_was_accepted(app: TestApp) {
    let hmsi = app.hmsi();
    let created = json(
        app.post(
            "/api/v1/agreements",
            Some(&hmsi),
            &json!({"traeger": "06432", "year": 2023}),
        )
        .await,
        201,
    )
    .await;
    let a = &created["agreement"];
    let path = "/api/v1/agreements/zv-2023-06432-1";
    let mut body = json!({
        "kind": "targets", "legal_basis": a["legal_basis"], "benefits": a["benefits"],
        "sections": a["sections"], "obligations": a["obligations"],
        "targets": [{"indicator": "debt_counselling_stock", "operator": "at_least", "value": "400"}]
    });
    for o in body["obligations"].as_array_mut().unwrap() {
        o.as_object_mut().unwrap().retain(|k, _| k != "id");
    }
    json(app.put(path, Some(&hmsi), Some("\"1\""), &body).await, 200).await;
    for (token, place) in [
        (app.traeger("06432"), "Dieburg"),
        (hmsi.clone(), "Wiesbaden"),
    ] {
        let signature = json!({"signatories": [{"name": "N. N.", "function": "Landrat"}],
                               "place": place, "signed_on": "2023-02-01"});
        json(
            app.post(&format!("{path}/signatures"), Some(&token), &signature)
                .await,
            200,
        )
        .await;
    }
    let targets = format!("{path}/targets");
    let pending = json(app.get(&targets, Some(&hmsi)).await, 200).await;
    assert_eq!(pending["items"][0]["status"], "pending");

    // Dieburg reports 412 for § 2 (3): under review it does not count, accepted it does.
    let obligations = json(
        app.get(&format!("{path}/obligations"), Some(&hmsi)).await,
        200,
    )
    .await;
    let debt = obligations["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["section"] == "§ 2 (3)")
        .unwrap()["id"]
        .clone();
    let dieburg = app.traeger("06432");
    let values = common::seed::debt_values(412, 187, 268, 121);
    let draft = json!({"obligation_id": debt, "values": values});
    let made = json(
        app.post("/api/v1/submissions", Some(&dieburg), &draft)
            .await,
        201,
    )
    .await;
    let sub = format!(
        "/api/v1/submissions/{}",
        made["submission"]["id"].as_str().unwrap()
    );
    json(
        common::seed::post(&app, &format!("{sub}/submit"), &dieburg).await,
        200,
    )
    .await;
    assert_eq!(
        json(app.get(&targets, Some(&hmsi)).await, 200).await["items"][0]["status"],
        "pending"
    );
    json(
        app.post(
            &format!("{sub}/review"),
            Some(&hmsi),
            &json!({"decision": "accept"}),
        )
        .await,
        200,
    )
    .await;
    let met = json(app.get(&targets, Some(&hmsi)).await, 200).await;
    let item = &met["items"][0];
    assert_eq!(
        (item["status"].as_str(), item["actual"].as_str()),
        (Some("met"), Some("412"))
    );
    assert_eq!(
        item["judged"]["month"], "2023",
        "a figure of the whole year"
    );
    assert_eq!(
        item["judged"]["origin"],
        sub.trim_start_matches("/api/v1/submissions/")
    );

    // As known before the review the figure did not hold yet; from the day of the review on it
    // does (days apart, so the time zone of the day never decides).
    let day = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    let before = json(
        app.get(&format!("{targets}?as_of={}", day(-2)), Some(&hmsi))
            .await,
        200,
    )
    .await;
    assert_eq!(before["items"][0]["status"], "pending");
    let after = json(
        app.get(&format!("{targets}?as_of={}", day(2)), Some(&hmsi))
            .await,
        200,
    )
    .await;
    assert_eq!(after["items"][0]["actual"], "412");
}
