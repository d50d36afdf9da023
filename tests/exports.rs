//! The facts export through HTTP, on SQLite and PostgreSQL.

mod common;

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
    a_history_larger_than_a_batch_is_exported_whole_and_once,
    an_export_reads_one_snapshot_while_others_write,
);

/// Kassel's § 2 (3) figures accepted; BA's § 2 (2) figures and § 4 costs forwarded, with
/// Stadt Kassel's value suppressed.
async fn history(app: &TestApp) {
    let sig = json!({"signatories": [{"name": "A", "function": "Landrat"}], "place": "Kassel", "signed_on": "2023-02-10"});
    json(
        app.post(
            "/api/v1/agreements/zv-2023-06633-1/signatures",
            Some(&app.traeger("06633")),
            &sig,
        )
        .await,
        200,
    )
    .await;
    let values = json!([
        {"indicator": "debt_counselling_stock", "value": 412, "breakdown": [
            {"reporting_body": "Diakonie Kassel", "value": 231}, {"reporting_body": "Landkreis Kassel", "value": 181}]},
        {"indicator": "debt_counselling_stock_sgb2", "value": 187},
        {"indicator": "debt_counselling_inflow", "value": 268},
        {"indicator": "debt_counselling_inflow_sgb2", "value": 121}
    ]);
    let body = json!({"obligation_id": "zv-2023-06633-1.3", "values": values});
    json(
        app.post("/api/v1/submissions", Some(&app.traeger("06633")), &body)
            .await,
        201,
    )
    .await;
    let s = "/api/v1/submissions/sub-zv-2023-06633-1.3";
    json(
        app.request(
            Method::POST,
            &format!("{s}/submit"),
            Some(&app.traeger("06633")),
        )
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
    // A draft is no fact.
    let draft = json!({"obligation_id": "zv-2023-06633-1.1", "values": [{"indicator": "childcare_u3", "value": 5}]});
    json(
        app.post("/api/v1/submissions", Some(&app.traeger("06633")), &draft)
            .await,
        201,
    )
    .await;

    let request = json!({"year": 2023, "indicators": ["care_of_relatives", "initial_equipment_home"],
                         "ba_reference": "Tab. 7", "requested_on": "2024-01-17"});
    json(
        app.post("/api/v1/transmissions", Some(&app.hmsi()), &request)
            .await,
        201,
    )
    .await;
    let csv = "traeger;indicator;value\n06633;care_of_relatives;88\n06611;care_of_relatives;*\n06633;initial_equipment_home;\"52.300,10\"\n";
    let res = app
        .request(
            Method::PUT,
            "/api/v1/transmissions/ba-2023-1/data",
            Some(&app.hmsi()),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    json(res, 200).await;
    json(
        app.request(
            Method::POST,
            "/api/v1/transmissions/ba-2023-1/forward",
            Some(&app.hmsi()),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
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
    assert_eq!(all[1]["reporting_body"], "Diakonie Kassel");
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
        "format=xlsx",
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
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    json(res, 200).await;
    json(
        app.request(
            Method::POST,
            "/api/v1/transmissions/ba-2023-1/forward",
            Some(&app.hmsi()),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;

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

/// Writes submissions straight into the tables, as many as several export batches hold: for
/// each Träger, `year` one with an accepted revision 1 and a newer draft 2 (values 999), `year
/// + 1` one under review, `year + 2` a draft only.
fn many_submissions(app: &TestApp, year: i32, codes: &[String], bodies: usize) {
    let codes_sql = codes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("SELECT '{c}' AS code, {i} AS pos"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let bodies_sql = (0..=bodies)
        .map(|b| format!("SELECT {b} AS b"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let (y0, y1, y2) = (year, year + 1, year + 2);
    app.sql(&format!(
        "INSERT INTO agreements (id, traeger, year, kind, legal_basis, benefits, sections, targets,
             status, supersedes, version, created_at, updated_at)
         SELECT 'zv-' || y.year || '-' || t.ags || '-7', t.ags, y.year, 'reporting', 'test', 'test',
             '[]', '[]', 'in_force', NULL, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
         FROM traeger t CROSS JOIN (SELECT {y0} AS year UNION ALL SELECT {y1} UNION ALL SELECT {y2}) y;
         INSERT INTO obligations (id, agreement_id, position, section, title_de, delivered_by,
             recipients, due, note)
         SELECT a.id || '.1', a.id, 0, '§ 9 (1)', 'Test', 'traeger', 'jobcenter hmsi', NULL, NULL
         FROM agreements a WHERE a.legal_basis = 'test';
         INSERT INTO submissions (id, obligation_id, agreement_id, traeger, year, section, due,
             recipients, status, current_revision, accepted_revision, version, created_at, updated_at)
         SELECT 'sub-' || a.id || '.1', a.id || '.1', a.id, a.traeger, a.year, '§ 9 (1)', NULL,
             'jobcenter hmsi',
             CASE a.year WHEN {y0} THEN 'draft' WHEN {y1} THEN 'submitted' ELSE 'draft' END,
             CASE a.year WHEN {y0} THEN 2 ELSE 1 END,
             CASE a.year WHEN {y0} THEN 1 ELSE NULL END,
             1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
         FROM agreements a WHERE a.legal_basis = 'test';
         INSERT INTO submission_revisions (submission_id, revision, status, created_by, created_at,
             submitted_by, submitted_at, days_late, reviewed_by, reviewed_at, return_reason)
         SELECT s.id, r.revision,
             CASE WHEN s.year = {y0} AND r.revision = 1 THEN 'accepted'
                  WHEN s.year = {y1} THEN 'submitted' ELSE 'draft' END,
             'test', CURRENT_TIMESTAMP, NULL, CURRENT_TIMESTAMP, NULL, NULL, CURRENT_TIMESTAMP, NULL
         FROM submissions s CROSS JOIN (SELECT 1 AS revision UNION ALL SELECT 2) r
         WHERE s.id LIKE 'sub-zv-%-7.1' AND r.revision <= s.current_revision;
         INSERT INTO submission_values (submission_id, revision, position, indicator_code,
             reporting_body, unit, value_int, value_text, note)
         SELECT r.submission_id, r.revision, c.pos * {n} + b.b, c.code,
             CASE WHEN b.b = 0 THEN '' ELSE 'Stelle ' || b.b END, 'count',
             CASE WHEN r.revision = 2 THEN 999 WHEN b.b = 0 THEN {total} ELSE 10 END, NULL, NULL
         FROM submission_revisions r CROSS JOIN ({codes_sql}) c CROSS JOIN ({bodies_sql}) b
         WHERE r.submission_id LIKE 'sub-zv-%-7.1';",
        n = bodies + 1,
        total = 10 * bodies,
    ))
    .unwrap();
}

async fn a_history_larger_than_a_batch_is_exported_whole_and_once(app: TestApp) {
    let year = 2024;
    let catalogue = json(
        app.get(
            &format!("/api/v1/indicators?year={year}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let codes: Vec<String> = catalogue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["unit"] == "count")
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .take(6)
        .collect();
    let bodies = 2;
    many_submissions(&app, year, &codes, bodies);
    let traeger = json(
        app.get("/api/v1/traeger?limit=1000", Some(&app.hmsi()))
            .await,
        200,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len();

    let res = app
        .request(
            Method::GET,
            "/api/v1/exports/facts?source=traeger",
            Some(&app.hmsi_read_only()),
        )
        .header("accept", "application/x-ndjson")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let rows: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &Value| r["origin"].as_str().unwrap().ends_with("-7.1"))
        .collect();
    // Two of the three years have a valid revision: the accepted one and the one under review.
    let expected = traeger * 2 * codes.len() * (1 + bodies);
    assert_eq!(rows.len(), expected);
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        let key = (
            r["origin"].clone(),
            r["indicator"].clone(),
            r["reporting_body"].clone(),
        );
        assert!(seen.insert(key), "exported twice: {r}");
        assert_ne!(r["value"], 999, "a draft revision was exported: {r}");
        let (state, revision) = match r["year"].as_i64().unwrap() as i32 {
            y if y == year => ("accepted", 1),
            y if y == year + 1 => ("submitted", 1),
            _ => panic!("a draft-only submission was exported: {r}"),
        };
        assert_eq!(
            (
                r["state"].as_str().unwrap(),
                r["revision"].as_i64().unwrap()
            ),
            (state, revision)
        );
    }

    // The same rows in CSV: a header and one line each.
    let csv = app
        .request(
            Method::GET,
            "/api/v1/exports/facts?source=traeger&format=csv",
            Some(&app.hmsi_read_only()),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines = csv.lines().filter(|l| l.contains("-7.1,")).count();
    assert_eq!(lines, expected);
}

async fn count_codes(app: &TestApp, year: i32) -> Vec<String> {
    let catalogue = json(
        app.get(
            &format!("/api/v1/indicators?year={year}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    catalogue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["unit"] == "count")
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .take(6)
        .collect()
}

/// Export batches read the snapshot taken when the export began: a value changed after the first
/// batch, in a submission the export reaches only later, is exported as it was. Driven through
/// the export's own API, because over HTTP the socket buffers would hide when batches are read.
async fn an_export_reads_one_snapshot_while_others_write(app: TestApp) {
    use zv_monitor::app::exports::{Export, FactFilter};
    use zv_monitor::app::{Clock, Services};
    use zv_monitor::domain::actor::Visibility;
    use zv_monitor::domain::figure::Figure;
    use zv_monitor::store::{Db, pool};

    let codes = count_codes(&app, 2024).await;
    many_submissions(&app, 2024, &codes, 2);
    let pool = pool::build_pool(&app.database_url, 2, std::time::Duration::from_secs(5)).unwrap();
    let db = Services::new(Db::new(pool, app.backend), Clock::default());
    let filter = FactFilter {
        source: Some(zv_monitor::domain::indicator::Source::Traeger),
        ..FactFilter::default()
    };
    let changed = Figure::Count(4242);
    let exported = |facts: &[zv_monitor::domain::fact::Fact]| {
        facts
            .iter()
            .filter(|f| f.value.as_ref() == Some(&changed))
            .count()
    };

    let mut export = Export::start(&db, Visibility::All, filter.clone())
        .await
        .unwrap();
    let mut facts = export.next_batch().await.unwrap().unwrap();
    // The last accepted submission in id order: the export has not read it yet.
    app.sql(
        "UPDATE submission_values SET value_int = 4242
         WHERE submission_id = (SELECT max(id) FROM submissions WHERE id LIKE 'sub-zv-2024-%-7.1')
           AND revision = 1",
    )
    .unwrap();
    while let Some(batch) = export.next_batch().await.unwrap() {
        facts.extend(batch);
    }
    assert_eq!(
        exported(&facts),
        0,
        "a change after the start leaked into the export"
    );
    let expected = facts.len();

    // A new export sees the change, in every row of that submission.
    let mut export = Export::start(&db, Visibility::All, filter).await.unwrap();
    let mut after = Vec::new();
    while let Some(batch) = export.next_batch().await.unwrap() {
        after.extend(batch);
    }
    assert_eq!(after.len(), expected);
    assert_eq!(exported(&after), codes.len() * 3);

    // An export dropped half-way (its client went away) leaves no open transaction behind:
    // the pool closes the connection it held instead of lending it out again.
    let single = pool::build_pool(&app.database_url, 1, std::time::Duration::from_secs(5)).unwrap();
    let db = Db::new(single, app.backend);
    let services = Services::new(db.clone(), Clock::default());
    let mut export = Export::start(&services, Visibility::All, FactFilter::default())
        .await
        .unwrap();
    export.next_batch().await.unwrap();
    drop(export);
    let depth = db
        .run(|conn| {
            use diesel::connection::{Connection, TransactionManager};
            type Tm = <zv_monitor::store::DbConnection as Connection>::TransactionManager;
            let depth = Tm::transaction_manager_status_mut(conn).transaction_depth();
            Ok::<_, zv_monitor::store::Unavailable>(depth.ok().flatten())
        })
        .await
        .unwrap();
    assert_eq!(
        depth, None,
        "the next user got a connection inside the export's snapshot"
    );
}
