//! BA-statistics transmissions through HTTP, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

const T: &str = "/api/v1/transmissions/ba-2023-1";

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    psychosocial_care_for_all_26_traeger_from_one_csv,
    requests_are_validated,
    csv_edge_cases_are_read_or_refused_line_by_line,
    json_data_with_statuses_and_dry_runs,
    ba_corrections_are_new_versions_with_a_reason,
    costs_hmsi_keeps_are_never_forwarded,
    who_may_do_what_with_transmissions,
    acknowledgements_once_per_version,
);

/// All 26 Träger from the shipped registry, with § 2 (4) values and Stadt Kassel suppressed.
fn registry_csv(value: impl Fn(usize, &str) -> String) -> String {
    let registry: Value =
        serde_json::from_str(include_str!("../seed/traeger-hessen.json")).unwrap();
    let mut lines = vec!["traeger;indicator;value".to_owned()];
    for (i, t) in registry["traeger"].as_array().unwrap().iter().enumerate() {
        let ags = t["ags"].as_str().unwrap();
        lines.push(format!("{ags};psychosocial_care;{}", value(i, ags)));
    }
    lines.join("\r\n") + "\r\n"
}

fn psychosocial(i: usize, ags: &str) -> String {
    if ags == "06611" {
        "*".into()
    } else {
        (10 + i).to_string()
    }
}

async fn request(app: &TestApp, indicators: Value) -> Value {
    let body = json!({"year": 2023, "indicators": indicators, "ba_reference": "Auftrag 2024-0117, Tabelle 3.2",
                      "requested_on": "2024-01-17", "note": "§ 2 (4)"});
    json(
        app.post("/api/v1/transmissions", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await
}

async fn put_csv(app: &TestApp, path_query: &str, csv: impl Into<Vec<u8>>) -> reqwest::Response {
    app.request(
        Method::PUT,
        &format!("{T}/data{path_query}"),
        Some(&app.hmsi()),
    )
    .header("content-type", "text/csv")
    .body(csv.into())
    .send()
    .await
    .unwrap()
}

async fn post(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.request(Method::POST, path, Some(token))
        .send()
        .await
        .unwrap()
}

async fn psychosocial_care_for_all_26_traeger_from_one_csv(app: TestApp) {
    let created = request(&app, json!(["psychosocial_care"])).await;
    assert_eq!(
        (created["id"].as_str(), created["status"].as_str()),
        (Some("ba-2023-1"), Some("requested"))
    );
    assert_eq!(created["indicators"][0]["forwarded_to_traeger"], true);

    let imported = json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    assert_eq!(
        imported["summary"],
        json!({"new": 26, "changed": 0, "unchanged": 0, "removed": 0})
    );
    assert_eq!(imported["transmission"]["status"], "received");
    // Not forwarded yet: a Träger sees nothing.
    problem(app.get(T, Some(&app.traeger("06633"))).await, 404).await;
    problem(
        app.get(&format!("{T}/data"), Some(&app.traeger("06633")))
            .await,
        404,
    )
    .await;

    let forwarded = json(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 200).await;
    assert_eq!(forwarded["status"], "forwarded");
    assert_eq!(forwarded["deliveries"].as_array().unwrap().len(), 26);
    assert!(
        forwarded["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["acknowledged_at"].is_null())
    );

    // Every Träger sees its own row only; Stadt Kassel's stays suppressed, never 0.
    for ags in ["06633", "06611", "06411"] {
        for token in [app.traeger(ags), app.jobcenter(ags)] {
            let data = json(app.get(&format!("{T}/data"), Some(&token)).await, 200).await;
            let rows = data["rows"].as_array().unwrap();
            assert_eq!(rows.len(), 1, "{ags}");
            assert_eq!(rows[0]["traeger"], ags);
            let t = json(app.get(T, Some(&token)).await, 200).await;
            assert_eq!(t["deliveries"].as_array().unwrap().len(), 1);
            assert_eq!(t["deliveries"][0]["traeger"], ags);
        }
    }
    let kassel_stadt = json(
        app.get(&format!("{T}/data"), Some(&app.traeger("06611")))
            .await,
        200,
    )
    .await;
    assert_eq!(kassel_stadt["rows"][0]["value"], Value::Null);
    assert_eq!(kassel_stadt["rows"][0]["status"], "suppressed");
    let csv = app
        .get(&format!("{T}/data?format=csv"), Some(&app.traeger("06611")))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        "traeger,indicator,value,status,flags\r\n06611,psychosocial_care,*,suppressed,\r\n"
    );
    let de = app
        .get(&format!("{T}/data?format=csv&csv=de"), Some(&app.hmsi()))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(de.starts_with(b"\xEF\xBB\xBFtraeger;indicator;value;status;flags\r\n"));
    assert!(String::from_utf8_lossy(&de).contains("06611;psychosocial_care;*;suppressed;"));
    let all = json(app.get(&format!("{T}/data"), Some(&app.hmsi())).await, 200).await;
    assert_eq!(all["rows"].as_array().unwrap().len(), 26);
    let version = json(
        app.get(&format!("{T}/versions/1"), Some(&app.traeger("06611")))
            .await,
        200,
    )
    .await;
    assert_eq!(version["rows"][0]["status"], "suppressed");

    let acked = json(
        post(
            &app,
            &format!("{T}/acknowledgements"),
            &app.traeger("06633"),
        )
        .await,
        201,
    )
    .await;
    assert!(acked["deliveries"][0]["acknowledged_at"].is_string());
    let hmsi_view = json(app.get(T, Some(&app.hmsi())).await, 200).await;
    let pending = hmsi_view["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["acknowledged_at"].is_null())
        .count();
    assert_eq!(pending, 25);

    // § 2 (4) of Kassel's agreement: acknowledged; § 2 (5), not requested, open.
    let obligations = json(
        app.get(
            "/api/v1/agreements/zv-2023-06633-1/obligations",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let status = |section: &str| {
        obligations["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["section"] == section)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("§ 2 (4)"), "acknowledged");
    assert_eq!(status("§ 2 (5)"), "open");

    let events = json(
        app.get(
            "/api/v1/audit-events?entity_type=transmission",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "receive", "forward", "acknowledge"]);
}

async fn requests_are_validated(app: TestApp) {
    let body = json!({"year": 2023, "indicators": ["debt_counselling_stock", "nothing_here", "psychosocial_care", "psychosocial_care", "Bad"],
                      "ba_reference": " ", "requested_on": "2030-01-01"});
    let p = problem(
        app.post("/api/v1/transmissions", Some(&app.hmsi()), &body)
            .await,
        422,
    )
    .await;
    assert_eq!(
        pointers(&p),
        [
            "/ba_reference",
            "/requested_on",
            "/indicators/0",
            "/indicators/1",
            "/indicators/3",
            "/indicators/4"
        ]
    );
    assert!(
        p["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("reported by the Träger")
    );
    let p = problem(
        app.post("/api/v1/transmissions", Some(&app.hmsi()), &json!({}))
            .await,
        422,
    )
    .await;
    assert_eq!(
        pointers(&p),
        ["/year", "/ba_reference", "/requested_on", "/indicators"]
    );
    assert_eq!(
        json(
            app.get("/api/v1/transmissions", Some(&app.hmsi())).await,
            200
        )
        .await["items"],
        json!([])
    );
}

async fn csv_edge_cases_are_read_or_refused_line_by_line(app: TestApp) {
    request(&app, json!(["psychosocial_care", "initial_equipment_home"])).await;
    // BOM, LF, quotes, a semicolon inside quotes in a field that then fails, empty lines,
    // decimal comma with thousands points, flags.
    let csv = "\u{feff}traeger;indicator;value;flags\n\n06633;psychosocial_care;\"1.234\";p\n06633;initial_equipment_home;\"1.234,50\";pr\n\n06611;psychosocial_care;-;\n06611;initial_equipment_home;x;\n";
    let ok = json(put_csv(&app, "", csv).await, 200).await;
    assert_eq!(ok["summary"]["new"], 4);
    let data = json(app.get(&format!("{T}/data"), Some(&app.hmsi())).await, 200).await;
    let rows = data["rows"].as_array().unwrap();
    assert_eq!(
        (rows[0]["value"].as_i64(), rows[0]["provisional"].as_bool()),
        (Some(1234), Some(true))
    );
    assert_eq!(
        (rows[1]["value"].as_str(), rows[1]["revised"].as_bool()),
        (Some("1234.50"), Some(true))
    );
    assert_eq!(
        (rows[2]["status"].as_str(), rows[3]["status"].as_str()),
        (Some("nil"), Some("not_applicable"))
    );

    // Line 5: "1.234" can only mean 1234 (a point before three digits groups thousands).
    let bad = "traeger,indicator,value\r\n06633,psychosocial_care,-4\r\n06499,psychosocial_care,3\r\n06633,addiction_counselling,3\r\n06633,initial_equipment_home,1.234\r\n\"06611;x\",psychosocial_care,3\r\n06411,psychosocial_care,2\r\n06411,psychosocial_care,2\r\n06412,psychosocial_care\r\n";
    let p = problem(put_csv(&app, "", bad).await, 422).await;
    assert_eq!(
        pointers(&p),
        [
            "/lines/9",
            "/lines/2/value",
            "/lines/3/traeger",
            "/lines/4/indicator",
            "/lines/6/traeger",
            "/lines/8"
        ]
    );
    let p = problem(
        put_csv(&app, "", "ags;code;wert\r\n06633;psychosocial_care;1\r\n").await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/lines/1"]);
    problem(put_csv(&app, "", "").await, 422).await;
    problem(
        put_csv(
            &app,
            "",
            b"traeger;indicator;value\n06633;psychosocial_care;\xff\n".to_vec(),
        )
        .await,
        422,
    )
    .await;

    // A 10 MB upload is read (and its thousands of errors capped); more than the limit is 413.
    let mut big = String::from("traeger;indicator;value\n");
    while big.len() < 10 * 1024 * 1024 {
        big.push_str("06633;psychosocial_care;1\n");
    }
    let p = problem(put_csv(&app, "", big).await, 422).await;
    assert!(p["errors"].as_array().unwrap().len() <= 1001);
    let too_big =
        "traeger;indicator;value\n".to_owned() + &"06633;psychosocial_care;1\n".repeat(500_000);
    problem(put_csv(&app, "", too_big).await, 413).await;
    let wrong_type = app
        .request(Method::PUT, &format!("{T}/data"), Some(&app.hmsi()))
        .header("content-type", "application/vnd.ms-excel")
        .body("x")
        .send()
        .await
        .unwrap();
    problem(wrong_type, 415).await;
    let kept = json(app.get(&format!("{T}/data"), Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        kept["rows"].as_array().unwrap().len(),
        4,
        "refused uploads changed nothing"
    );
}

async fn json_data_with_statuses_and_dry_runs(app: TestApp) {
    request(&app, json!(["psychosocial_care"])).await;
    let body = json!({"rows": [
        {"traeger": "06633", "indicator": "psychosocial_care", "value": 17},
        {"traeger": "06611", "indicator": "psychosocial_care", "status": "suppressed"},
        {"traeger": "06411", "indicator": "psychosocial_care", "value": "*"}]});
    let dry = json(
        app.put(
            &format!("{T}/data?dry_run=true"),
            Some(&app.hmsi()),
            None,
            &body,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["summary"]["new"].as_i64()),
        (Some(true), Some(3))
    );
    assert_eq!(
        json(app.get(T, Some(&app.hmsi())).await, 200).await["status"],
        "requested"
    );
    json(
        app.put(&format!("{T}/data"), Some(&app.hmsi()), None, &body)
            .await,
        200,
    )
    .await;
    let data = json(app.get(&format!("{T}/data"), Some(&app.hmsi())).await, 200).await;
    assert_eq!(data["rows"][1]["status"], "suppressed");
    assert_eq!(data["rows"][2]["status"], "suppressed");

    let again = json(
        app.put(
            &format!("{T}/data?dry_run=true"),
            Some(&app.hmsi()),
            None,
            &json!({"rows": [
        {"traeger": "06633", "indicator": "psychosocial_care", "value": 18}]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        again["summary"],
        json!({"new": 0, "changed": 1, "unchanged": 0, "removed": 2})
    );
    let p = problem(
        app.put(
            &format!("{T}/data"),
            Some(&app.hmsi()),
            None,
            &json!({"rows": [
            {"traeger": "06633", "indicator": "psychosocial_care", "value": 1, "status": "nil"},
            {"traeger": "06611", "indicator": "psychosocial_care", "status": "secret"}]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/rows/0", "/rows/1/status"]);
    problem(
        app.put(
            &format!("{T}/data"),
            Some(&app.hmsi()),
            None,
            &json!({"rowz": []}),
        )
        .await,
        400,
    )
    .await;
    problem(
        app.put(
            "/api/v1/transmissions/ba-2023-9/data",
            Some(&app.hmsi()),
            None,
            &body,
        )
        .await,
        404,
    )
    .await;
}

async fn ba_corrections_are_new_versions_with_a_reason(app: TestApp) {
    request(&app, json!(["psychosocial_care"])).await;
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    // Before forwarding, new data replaces the current version.
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    json(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 200).await;
    json(
        post(
            &app,
            &format!("{T}/acknowledgements"),
            &app.traeger("06633"),
        )
        .await,
        201,
    )
    .await;
    problem(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 409).await;

    let corrected = registry_csv(|i, ags| {
        if ags == "06633" {
            "99".into()
        } else {
            psychosocial(i, ags)
        }
    });
    let p = problem(put_csv(&app, "", corrected.clone()).await, 422).await;
    assert_eq!(pointers(&p), ["/reason"]);
    let v2 = json(
        put_csv(&app, "?reason=BA-Revision%20Februar%202024", corrected).await,
        200,
    )
    .await;
    assert_eq!(
        v2["summary"],
        json!({"new": 0, "changed": 1, "unchanged": 25, "removed": 0})
    );
    assert_eq!(
        (
            v2["transmission"]["current_version"].as_i64(),
            v2["transmission"]["forwarded_version"].as_i64()
        ),
        (Some(2), Some(1))
    );

    // Until forwarded again, Kassel still sees version 1.
    let before = json(
        app.get(&format!("{T}/data"), Some(&app.traeger("06633")))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (
            before["version"].as_i64(),
            before["rows"][0]["value"].as_i64()
        ),
        (Some(1), Some(10 + 22))
    );
    json(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 200).await;
    let after = json(
        app.get(&format!("{T}/data"), Some(&app.traeger("06633")))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (
            after["version"].as_i64(),
            after["rows"][0]["value"].as_i64()
        ),
        (Some(2), Some(99))
    );
    let change = json(
        app.get(&format!("{T}/versions/2"), Some(&app.traeger("06633")))
            .await,
        200,
    )
    .await;
    assert_eq!(change["reason"], "BA-Revision Februar 2024");
    assert_eq!(change["changes"].as_array().unwrap().len(), 1);
    assert_eq!(change["changes"][0]["before"]["value"], 32);
    assert_eq!(change["changes"][0]["after"]["value"], 99);
    let other = json(
        app.get(&format!("{T}/versions/2"), Some(&app.traeger("06611")))
            .await,
        200,
    )
    .await;
    assert_eq!(
        other["changes"],
        json!([]),
        "Stadt Kassel's row did not change, and Kassel's is not shown"
    );
    let versions = json(
        app.get(&format!("{T}/versions"), Some(&app.traeger("06633")))
            .await,
        200,
    )
    .await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let old = json(
        app.get(&format!("{T}/data?version=1"), Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(old["rows"].as_array().unwrap().len(), 26);
    // The acknowledgement was for version 1; version 2 is pending again.
    let t = json(app.get(T, Some(&app.traeger("06633"))).await, 200).await;
    assert!(t["deliveries"][0]["acknowledged_at"].is_null());
    json(
        post(
            &app,
            &format!("{T}/acknowledgements"),
            &app.traeger("06633"),
        )
        .await,
        201,
    )
    .await;
}

async fn costs_hmsi_keeps_are_never_forwarded(app: TestApp) {
    let created = request(&app, json!(["psychosocial_care", "initial_equipment_home"])).await;
    assert_eq!(created["indicators"][1]["forwarded_to_traeger"], false);
    let csv = "traeger;indicator;value\n06633;psychosocial_care;12\n06633;initial_equipment_home;\"48.211,37\"\n06611;initial_equipment_home;*\n";
    json(put_csv(&app, "", csv).await, 200).await;
    json(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 200).await;
    let mine = json(
        app.get(&format!("{T}/data"), Some(&app.traeger("06633")))
            .await,
        200,
    )
    .await;
    let codes: Vec<&str> = mine["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["psychosocial_care"]);
    let t = json(app.get(T, Some(&app.traeger("06633"))).await, 200).await;
    assert_eq!(t["indicators"].as_array().unwrap().len(), 1);
    let csv = app
        .get(
            &format!("{T}/data?format=csv"),
            Some(&app.jobcenter("06633")),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("initial_equipment_home"));
    let hmsi = json(app.get(&format!("{T}/data"), Some(&app.hmsi())).await, 200).await;
    assert_eq!(hmsi["rows"][1]["value"], "48211.37");
    let de = app
        .get(&format!("{T}/data?format=csv&csv=de"), Some(&app.hmsi()))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        de.contains("06633;initial_equipment_home;48211,37;;"),
        "{de}"
    );
    // Stadt Kassel has no forwardable row: it sees the transmission, with no data.
    let empty = json(
        app.get(&format!("{T}/data"), Some(&app.traeger("06611")))
            .await,
        200,
    )
    .await;
    assert_eq!(empty["rows"], json!([]));
}

async fn who_may_do_what_with_transmissions(app: TestApp) {
    let body = json!({"year": 2023, "indicators": ["psychosocial_care"], "ba_reference": "x", "requested_on": "2024-01-17"});
    let rw_jobcenter = app.sign(app.claims("jobcenter", Some("06633"), "read write"));
    for token in [
        app.traeger("06633"),
        rw_jobcenter.clone(),
        app.hmsi_read_only(),
    ] {
        problem(
            app.post("/api/v1/transmissions", Some(&token), &body).await,
            403,
        )
        .await;
    }
    request(&app, json!(["psychosocial_care"])).await;
    json(
        put_csv(
            &app,
            "",
            "traeger;indicator;value\n06633;psychosocial_care;5\n",
        )
        .await,
        200,
    )
    .await;
    for token in [
        app.traeger("06633"),
        rw_jobcenter.clone(),
        app.hmsi_read_only(),
    ] {
        let res = app
            .request(Method::PUT, &format!("{T}/data"), Some(&token))
            .header("content-type", "text/csv")
            .body("traeger;indicator;value\n06633;psychosocial_care;6\n")
            .send()
            .await
            .unwrap();
        problem(res, 403).await;
        problem(post(&app, &format!("{T}/forward"), &token).await, 403).await;
    }
    for token in [
        app.hmsi(),
        rw_jobcenter,
        app.sign(app.claims("traeger", Some("06633"), "read")),
    ] {
        problem(
            post(&app, &format!("{T}/acknowledgements"), &token).await,
            403,
        )
        .await;
    }
    // Before forwarding a Träger sees nothing of it, not even in lists.
    assert_eq!(
        json(
            app.get("/api/v1/transmissions", Some(&app.traeger("06633")))
                .await,
            200
        )
        .await["items"],
        json!([])
    );
    problem(
        post(
            &app,
            &format!("{T}/acknowledgements"),
            &app.traeger("06633"),
        )
        .await,
        404,
    )
    .await;
    json(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 200).await;
    let listed = json(
        app.get(
            "/api/v1/transmissions?year=2023&status=forwarded",
            Some(&app.traeger("06633")),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let by_section = json(
        app.get(
            "/api/v1/transmissions?section=%C2%A7%202%20(5)",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(by_section["items"], json!([]));
    for bad in ["status=sent", "year=x", "limit=0"] {
        problem(
            app.get(&format!("/api/v1/transmissions?{bad}"), Some(&app.hmsi()))
                .await,
            400,
        )
        .await;
    }
    problem(
        app.get(&format!("{T}/data?format=xlsx"), Some(&app.hmsi()))
            .await,
        400,
    )
    .await;
    problem(
        app.get(&format!("{T}/data?version=3"), Some(&app.hmsi()))
            .await,
        404,
    )
    .await;
}

async fn acknowledgements_once_per_version(app: TestApp) {
    request(&app, json!(["psychosocial_care"])).await;
    problem(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 409).await;
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    json(post(&app, &format!("{T}/forward"), &app.hmsi()).await, 200).await;
    json(
        post(
            &app,
            &format!("{T}/acknowledgements"),
            &app.traeger("06411"),
        )
        .await,
        201,
    )
    .await;
    let p = problem(
        post(
            &app,
            &format!("{T}/acknowledgements"),
            &app.traeger("06411"),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("06411"));
    let t = json(app.get(T, Some(&app.hmsi())).await, 200).await;
    let acked: Vec<&str> = t["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["acknowledged_at"].is_string())
        .map(|d| d["traeger"].as_str().unwrap())
        .collect();
    assert_eq!(acked, ["06411"]);
}
