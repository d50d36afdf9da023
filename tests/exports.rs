//! The facts export through HTTP, on SQLite and PostgreSQL: long format from submissions and
//! transmissions, BA's marks in every format, filters, and reports reproduced as of a time.

mod common;

use common::seed::{
    debt_values, draft_debt, forward, put_csv, request_ba, review, sign_kassel, submit_debt,
};
use common::{TestApp, json, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    facts_in_long_format_from_submissions_and_transmissions,
    suppressed_values_keep_their_status_in_every_format,
    a_traeger_exports_only_its_own_facts,
    filters_and_formats_are_chosen_by_query_or_accept,
    an_old_report_is_reproduced_as_of_its_time,
);

/// Kassel's § 2 (3) figures accepted; BA's § 2 (2) figures and § 4 costs forwarded, with
/// Stadt Kassel's value suppressed.
async fn history(app: &TestApp) {
    sign_kassel(app).await;
    draft_debt(app, debt_values(412, 187, 268, 121)).await;
    submit_debt(app).await;
    json(review(app, json!({"decision": "accept"})).await, 200).await;
    // A draft is no fact.
    let draft = json!({"obligation_id": "zv-2023-06633-1.1", "values": [{"indicator": "childcare_u3", "value": 5}]});
    json(
        app.post("/api/v1/submissions", Some(&app.traeger("06633")), &draft)
            .await,
        201,
    )
    .await;

    request_ba(app, json!(["care_of_relatives", "initial_equipment_home"])).await;
    let csv = "traeger;indicator;value\n06633;care_of_relatives;88\n06611;care_of_relatives;*\n06633;initial_equipment_home;\"52.300,10\"\n";
    json(put_csv(app, "", csv).await, 200).await;
    json(forward(app, &app.hmsi()).await, 200).await;
}

async fn facts(app: &TestApp, query: &str, token: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/exports/facts{query}"), Some(token))
        .await;
    assert_eq!(res.headers()["content-type"], "application/json");
    json(res, 200).await["items"].as_array().unwrap().clone()
}

async fn facts_in_long_format_from_submissions_and_transmissions(app: TestApp) {
    history(&app).await;
    let all = facts(&app, "", &app.hmsi_read_only()).await;
    // 4 figures + 2 breakdown rows from the submission, 3 rows from BA.
    assert_eq!(all.len(), 9, "{all:#?}");
    let stock = &all[0];
    assert_eq!(stock["traeger_name"], "Landkreis Kassel");
    assert_eq!(stock["indicator"], "debt_counselling_stock");
    assert_eq!(
        (stock["value"].as_i64(), stock["reporting_body"].is_null()),
        (Some(412), true)
    );
    assert_eq!(
        (
            stock["state"].as_str(),
            stock["revision"].as_i64(),
            stock["source"].as_str()
        ),
        (Some("accepted"), Some(1), Some("traeger"))
    );
    assert_eq!(stock["reference"], "2023-12-31");
    assert_eq!(stock["origin"], "sub-zv-2023-06633-1.3");
    assert_eq!(
        all[1]["reporting_body"],
        "Schuldner- und Insolvenzberatung der Diakonie Kassel"
    );
    assert_eq!(all[1]["value"], 231);
    let inflow = all
        .iter()
        .find(|f| f["indicator"] == "debt_counselling_inflow")
        .unwrap();
    assert_eq!(inflow["reference"], "2023-01-01/2023-12-31");
    let cost = all
        .iter()
        .find(|f| f["indicator"] == "initial_equipment_home")
        .unwrap();
    assert_eq!(
        (
            cost["value"].as_str(),
            cost["source"].as_str(),
            cost["state"].as_str()
        ),
        (Some("52300.10"), Some("ba"), Some("forwarded"))
    );
    assert!(
        all.iter().all(|f| f["indicator"] != "childcare_u3"),
        "drafts are no facts"
    );
}

async fn suppressed_values_keep_their_status_in_every_format(app: TestApp) {
    history(&app).await;
    let token = app.hmsi_read_only();
    let all = facts(&app, "?source=ba", &token).await;
    let suppressed = all.iter().find(|f| f["traeger"] == "06611").unwrap();
    assert_eq!(
        (suppressed["value"].clone(), suppressed["status"].as_str()),
        (Value::Null, Some("suppressed"))
    );

    let nd = app
        .get(
            "/api/v1/exports/facts?format=ndjson&source=ba",
            Some(&token),
        )
        .await;
    assert_eq!(nd.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = nd
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines.iter().any(|l| l["traeger"] == "06611"
            && l["status"] == "suppressed"
            && l["value"].is_null())
    );

    let csv = app
        .get("/api/v1/exports/facts?format=csv&source=ba", Some(&token))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with(
        "year,traeger,traeger_name,section,indicator,unit,reference,reporting_body,value,status,"
    ));
    assert!(csv.contains("2023,06611,Stadt Kassel,§ 2 (2),care_of_relatives,count,2023-12-31,,*,suppressed,ba,ba-2023-1,1,forwarded,false,"), "{csv}");
    let de = app
        .get(
            "/api/v1/exports/facts?format=csv&csv=de&source=ba",
            Some(&token),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(de.to_vec()).unwrap();
    assert!(text.starts_with("\u{feff}year;traeger;"));
    assert!(text.contains(";*;suppressed;"));
    assert!(text.contains(";52300,10;"), "{text}");

    let sdmx = app
        .request(Method::GET, "/api/v1/exports/facts?source=ba", Some(&token))
        .header("Accept", "application/vnd.sdmx.data+csv;version=2.0.0")
        .send()
        .await
        .unwrap();
    assert!(
        sdmx.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/vnd.sdmx.data+csv; version=2.0.0")
    );
    let sdmx = sdmx.text().await.unwrap();
    let mut lines = sdmx.lines();
    assert_eq!(
        lines.next(),
        Some(
            "STRUCTURE,STRUCTURE_ID,ACTION,TIME_PERIOD,TRAEGER,INDICATOR,REPORTING_BODY,SOURCE,OBS_VALUE,OBS_STATUS,UNIT_MEASURE,REF_PERIOD,STATE"
        )
    );
    assert!(sdmx.contains("dataflow,HMSI:ZV_FACTS(1.0),I,2023,06611,care_of_relatives,_T,ba,,C,COUNT,2023-12-31,forwarded"), "{sdmx}");
    assert!(sdmx.contains("dataflow,HMSI:ZV_FACTS(1.0),I,2023,06633,care_of_relatives,_T,ba,88,A,COUNT,2023-12-31,forwarded"), "{sdmx}");
    let by_query = app
        .get("/api/v1/exports/facts?source=ba&format=sdmx", Some(&token))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(by_query, sdmx);
}

async fn a_traeger_exports_only_its_own_facts(app: TestApp) {
    history(&app).await;
    let stadt = facts(&app, "", &app.traeger("06611")).await;
    assert_eq!(stadt.len(), 1);
    assert_eq!(
        (stadt[0]["indicator"].as_str(), stadt[0]["status"].as_str()),
        (Some("care_of_relatives"), Some("suppressed"))
    );
    let kreis = facts(&app, "", &app.jobcenter("06633")).await;
    assert!(kreis.iter().all(|f| f["traeger"] == "06633"));
    assert_eq!(
        kreis.len(),
        7,
        "six submission rows and one BA row; § 4 costs stay with HMSI"
    );
    assert!(
        kreis
            .iter()
            .all(|f| f["indicator"] != "initial_equipment_home")
    );
    assert!(
        facts(&app, "?traeger=06611", &app.traeger("06633"))
            .await
            .is_empty()
    );
    problem(
        app.get(
            "/api/v1/exports/facts",
            Some(&app.sign(app.claims("hmsi", None, "write"))),
        )
        .await,
        403,
    )
    .await;
    problem(app.get("/api/v1/exports/facts", None).await, 401).await;
}

async fn filters_and_formats_are_chosen_by_query_or_accept(app: TestApp) {
    history(&app).await;
    let token = app.hmsi();
    assert_eq!(facts(&app, "?source=traeger", &token).await.len(), 6);
    assert_eq!(
        facts(&app, "?indicator=debt_counselling_stock", &token)
            .await
            .len(),
        3
    );
    assert_eq!(facts(&app, "?section=%C2%A7%204", &token).await.len(), 1);
    assert_eq!(facts(&app, "?traeger=06611", &token).await.len(), 1);
    assert!(facts(&app, "?year=2024", &token).await.is_empty());
    let accepted = facts(&app, "?state=accepted", &token).await;
    assert_eq!(accepted.len(), 6);
    assert!(accepted.iter().all(|f| f["source"] == "traeger"));
    assert_eq!(facts(&app, "?state=forwarded", &token).await.len(), 3);
    assert!(facts(&app, "?state=submitted", &token).await.is_empty());
    let suppressed = facts(&app, "?status=suppressed", &token).await;
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    assert_eq!(suppressed[0]["traeger"], "06611");
    assert!(facts(&app, "?status=nil", &token).await.is_empty());
    let res = app
        .request(Method::GET, "/api/v1/exports/facts", Some(&token))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.text().await.unwrap().lines().count(),
        10,
        "header and nine rows"
    );
    for bad in [
        "year=x",
        "traeger=1",
        "indicator=Bad",
        "source=bund",
        "state=approved",
        "status=*",
        "format=xls",
        "csv=fr",
        "colour=red",
    ] {
        problem(
            app.get(&format!("/api/v1/exports/facts?{bad}"), Some(&token))
                .await,
            400,
        )
        .await;
    }
}

fn stock(facts: &[Value]) -> Option<(i64, i64)> {
    facts
        .iter()
        .find(|f| f["indicator"] == "debt_counselling_stock" && f["reporting_body"].is_null())
        .map(|f| {
            (
                f["value"].as_i64().unwrap(),
                f["revision"].as_i64().unwrap(),
            )
        })
}

async fn an_old_report_is_reproduced_as_of_its_time(app: TestApp) {
    history(&app).await;
    let kassel = app.traeger("06633");
    let s = "/api/v1/submissions/sub-zv-2023-06633-1.3";
    // A correction after acceptance: revision 2 with 415 instead of 412.
    let opened = json(
        app.request(Method::POST, &format!("{s}/corrections"), Some(&kassel))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let tag = format!("\"{}\"", opened["submission"]["version"]);
    let values = json!({"values": [
        {"indicator": "debt_counselling_stock", "value": 415},
        {"indicator": "debt_counselling_stock_sgb2", "value": 187},
        {"indicator": "debt_counselling_inflow", "value": 268},
        {"indicator": "debt_counselling_inflow_sgb2", "value": 121}]});
    json(app.put(s, Some(&kassel), Some(&tag), &values).await, 200).await;
    json(
        app.request(Method::POST, &format!("{s}/submit"), Some(&kassel))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    json(
        app.post(
            &format!("{s}/review"),
            Some(&app.hmsi()),
            &json!({"decision": "accept"}),
        )
        .await,
        200,
    )
    .await;
    // BA corrects Kassel's § 2 (2) figure; forwarded again.
    let csv = "traeger;indicator;value\n06633;care_of_relatives;91\n06611;care_of_relatives;*\n06633;initial_equipment_home;\"52.300,10\"\n";
    let res = app
        .request(
            Method::PUT,
            "/api/v1/transmissions/ba-2023-1/data?reason=BA-Revision",
            Some(&app.hmsi()),
        )
        .header("If-Match", "*")
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    json(res, 200).await;
    json(forward(&app, &app.hmsi()).await, 200).await;

    let revisions = json(
        app.get(&format!("{s}/revisions"), Some(&app.hmsi())).await,
        200,
    )
    .await;
    let accepted_1 = revisions["items"][0]["reviewed_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let accepted_2 = revisions["items"][1]["reviewed_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let versions = json(
        app.get(
            "/api/v1/transmissions/ba-2023-1/versions",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let forwarded_1 = versions[0]["forwarded_at"].as_str().unwrap().to_owned();

    let token = app.hmsi_read_only();
    let at = |t: &str| format!("?as_of={t}");
    let then = facts(&app, &at(&accepted_1), &token).await;
    assert_eq!(stock(&then), Some((412, 1)));
    assert!(
        then.iter().all(|f| f["source"] == "traeger"),
        "BA's data came later"
    );
    let later = facts(&app, &at(&accepted_2), &token).await;
    assert_eq!(stock(&later), Some((415, 2)));
    assert!(
        facts(&app, "?as_of=2020-01-01T00:00:00Z", &token)
            .await
            .is_empty()
    );
    assert_eq!(stock(&facts(&app, "", &token).await), Some((415, 2)));

    let care = |facts: &[Value]| {
        facts
            .iter()
            .find(|f| f["indicator"] == "care_of_relatives")
            .map(|f| {
                (
                    f["value"].as_i64().unwrap(),
                    f["revision"].as_i64().unwrap(),
                )
            })
    };
    assert_eq!(
        care(&facts(&app, &at(&forwarded_1), &kassel).await),
        Some((88, 1))
    );
    assert_eq!(care(&facts(&app, "", &kassel).await), Some((91, 2)));
    // With an offset: the same instant.
    let offset = chrono::DateTime::parse_from_rfc3339(&accepted_1)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap());
    let encoded = offset
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
        .replace('+', "%2B");
    assert_eq!(
        stock(&facts(&app, &format!("?as_of={encoded}"), &token).await),
        Some((412, 1))
    );
    problem(
        app.get("/api/v1/exports/facts?as_of=yesterday", Some(&token))
            .await,
        400,
    )
    .await;
}
