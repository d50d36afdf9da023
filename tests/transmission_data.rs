//! BA's data as it arrives, through HTTP on SQLite and PostgreSQL: CSV as BA and spreadsheets
//! write it, JSON with BA's marks, dry runs, and BA's corrections as new versions.

mod common;

use common::seed::{T, forward, post, psychosocial, put_csv, registry_csv, request_ba};
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::json;

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    csv_edge_cases_are_read_or_refused_line_by_line,
    json_data_with_statuses_and_dry_runs,
    ba_corrections_are_new_versions_with_a_reason,
);

async fn csv_edge_cases_are_read_or_refused_line_by_line(app: TestApp) {
    request_ba(&app, json!(["psychosocial_care", "initial_equipment_home"])).await;
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
        .header("If-Match", "*")
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
    request_ba(&app, json!(["psychosocial_care"])).await;
    let body = json!({"rows": [
        {"traeger": "06633", "indicator": "psychosocial_care", "value": 17},
        {"traeger": "06611", "indicator": "psychosocial_care", "status": "suppressed"},
        {"traeger": "06411", "indicator": "psychosocial_care", "value": "*"}]});
    let dry = json(
        app.put(
            &format!("{T}/data?dry_run=true"),
            Some(&app.hmsi()),
            Some("*"),
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
        app.put(&format!("{T}/data"), Some(&app.hmsi()), Some("*"), &body)
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
            Some("*"),
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
            Some("*"),
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
            Some("*"),
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
            Some("*"),
            &body,
        )
        .await,
        404,
    )
    .await;
}

async fn ba_corrections_are_new_versions_with_a_reason(app: TestApp) {
    request_ba(&app, json!(["psychosocial_care"])).await;
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    // Before forwarding, new data replaces the current version.
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    json(forward(&app, &app.hmsi()).await, 200).await;
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
    problem(forward(&app, &app.hmsi()).await, 409).await;

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
    json(forward(&app, &app.hmsi()).await, 200).await;
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
