//! BA-statistics transmissions through HTTP, on SQLite and PostgreSQL: requested, received
//! and forwarded by HMSI, seen and acknowledged by each Träger.

mod common;

use common::seed::{T, forward, post, psychosocial, put_csv, registry_csv, request_ba};
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    psychosocial_care_for_all_26_traeger_from_one_csv,
    requests_are_validated,
    costs_hmsi_keeps_are_never_forwarded,
    who_may_do_what_with_transmissions,
    acknowledgements_once_per_version,
);

async fn psychosocial_care_for_all_26_traeger_from_one_csv(app: TestApp) {
    let created = request_ba(&app, json!(["psychosocial_care"])).await;
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

    let forwarded = json(forward(&app, &app.hmsi()).await, 200).await;
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
    // The AGS as a formula of text, so that a spreadsheet keeps its leading zero.
    assert!(
        String::from_utf8_lossy(&de).contains("\"=\"\"06611\"\"\";psychosocial_care;*;suppressed;")
    );
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

async fn costs_hmsi_keeps_are_never_forwarded(app: TestApp) {
    let created = request_ba(&app, json!(["psychosocial_care", "initial_equipment_home"])).await;
    assert_eq!(created["indicators"][1]["forwarded_to_traeger"], false);
    let csv = "traeger;indicator;value\n06633;psychosocial_care;12\n06633;initial_equipment_home;\"48.211,37\"\n06611;initial_equipment_home;*\n";
    json(put_csv(&app, "", csv).await, 200).await;
    json(forward(&app, &app.hmsi()).await, 200).await;
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
        de.contains("\"=\"\"06633\"\"\";initial_equipment_home;48211,37;;"),
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
    request_ba(&app, json!(["psychosocial_care"])).await;
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
            .header("If-Match", "*")
            .header("content-type", "text/csv")
            .body("traeger;indicator;value\n06633;psychosocial_care;6\n")
            .send()
            .await
            .unwrap();
        problem(res, 403).await;
        problem(forward(&app, &token).await, 403).await;
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
    json(forward(&app, &app.hmsi()).await, 200).await;
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
    request_ba(&app, json!(["psychosocial_care"])).await;
    problem(forward(&app, &app.hmsi()).await, 409).await;
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    json(forward(&app, &app.hmsi()).await, 200).await;
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
