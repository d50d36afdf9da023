//! The edge of the service, on SQLite and PostgreSQL alike: input no handler should see is
//! refused as the contract says, responses carry the headers of a careful API, reads are
//! conditional, ids are handed out without a race, and no change overwrites one unseen.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::seed::{KASSEL, T, forward, put_csv, request_ba};
use common::{TestApp, json, problem};
use reqwest::Method;
use serde_json::json;

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    cursors_are_ours_or_refused,
    nul_characters_are_refused_alike,
    responses_carry_the_headers_of_a_careful_api,
    every_error_under_every_path_is_a_problem,
    pollers_read_again_for_a_304,
    concurrent_requests_to_ba_get_distinct_numbers,
    uploads_and_forwarding_need_the_etag_read,
    declared_bounds_are_the_services,
);

const LISTS: &[&str] = &[
    "/api/v1/traeger",
    "/api/v1/indicators",
    "/api/v1/agreements",
    "/api/v1/obligations",
    "/api/v1/submissions",
    "/api/v1/transmissions",
    "/api/v1/audit-events",
];

fn cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

async fn cursors_are_ours_or_refused(app: TestApp) {
    let hmsi = app.hmsi();
    let tampered = [
        "garbage!".to_owned(),
        "A".repeat(10_000),
        cursor("06633\0"),
        cursor("zv-2023-06633-1' OR 1=1 --"),
    ];
    for list in LISTS {
        for after in &tampered {
            let res = app.get(&format!("{list}?after={after}"), Some(&hmsi)).await;
            let p = problem(res, 400).await;
            assert!(
                p["detail"].as_str().unwrap().contains("`after`")
                    || p["detail"].as_str().unwrap().contains("longer than"),
                "{list}: {p}"
            );
        }
    }
    // A cursor of one list is no cursor of another.
    let agreements = cursor("zv-2023-06633-1");
    problem(
        app.get(&format!("/api/v1/traeger?after={agreements}"), Some(&hmsi))
            .await,
        400,
    )
    .await;
    // The cursors the service gives out are taken back.
    let first = json(app.get("/api/v1/traeger?limit=2", Some(&hmsi)).await, 200).await;
    let next = first["next"].as_str().unwrap();
    let second = json(
        app.get(
            &format!("/api/v1/traeger?limit=2&after={next}"),
            Some(&hmsi),
        )
        .await,
        200,
    )
    .await;
    assert_ne!(first["items"][0]["ags"], second["items"][0]["ags"]);
}

async fn nul_characters_are_refused_alike(app: TestApp) {
    let hmsi = app.hmsi();
    for path in [
        "/api/v1/audit-events?entity_id=06633%00",
        "/api/v1/submissions?section=%C2%A7%00",
        "/api/v1/exports/facts?section=%00",
        "/api/v1/agreements/zv-2023-06633-1?x=%00",
    ] {
        let p = problem(app.get(path, Some(&hmsi)).await, 400).await;
        assert!(p["detail"].as_str().unwrap().contains("NUL"), "{path}: {p}");
    }
    let long = format!("/api/v1/audit-events?actor={}", "a".repeat(3000));
    problem(app.get(&long, Some(&hmsi)).await, 400).await;

    // Text PostgreSQL could not store is refused with 422 on SQLite too, at its pointer.
    let traeger = json!({"ags": "06440", "name": "Kreis\u{0}Test", "kind": "landkreis",
        "jobcenter": {"id": "jc-06440", "name": "Jobcenter", "form": "ge"}});
    let p = problem(
        app.post("/api/v1/traeger", Some(&hmsi), &traeger).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/name");
    let request = json!({"year": 2023, "indicators": ["psychosocial_care"],
        "ba_reference": "Tab\u{0}elle", "requested_on": "2024-01-17"});
    let p = problem(
        app.post("/api/v1/transmissions", Some(&hmsi), &request)
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/ba_reference");
    request_ba(&app, json!(["psychosocial_care"])).await;
    let data = json!({"rows": [{"traeger": "06633", "indicator": "psychosocial_care", "value": 3}],
        "reason": "BA\u{0}"});
    let p = problem(
        app.put(&format!("{T}/data"), Some(&hmsi), Some("*"), &data)
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/reason");
    let events = json(
        app.get("/api/v1/audit-events?limit=1000", Some(&hmsi))
            .await,
        200,
    )
    .await;
    assert!(
        !events["items"].to_string().contains("\\u0000"),
        "nothing with a NUL was written"
    );
}

async fn responses_carry_the_headers_of_a_careful_api(app: TestApp) {
    let hmsi = app.hmsi();
    for (path, token) in [
        ("/api/v1/traeger", Some(hmsi.as_str())),
        ("/api/v1/agreements/zv-2023-06633-9", Some(hmsi.as_str())),
        ("/api/v1/traeger", None),
    ] {
        let res = app.get(path, token).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'"),
            "{path}"
        );
    }
    let ui = app.get("/swagger-ui/", None).await;
    assert_eq!(ui.status(), 200);
    assert_eq!(ui.headers()["x-content-type-options"], "nosniff");
    let policy = ui.headers()["content-security-policy"].to_str().unwrap();
    for directive in [
        "script-src 'self'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    let live = app.get("/health/live", None).await;
    assert_eq!(live.headers()["x-content-type-options"], "nosniff");
}

async fn every_error_under_every_path_is_a_problem(app: TestApp) {
    for path in ["/swagger-ui/nothing-here.js", "/nothing", "/api/v2/traeger"] {
        let p = problem(app.get(path, None).await, 404).await;
        assert_eq!(p["type"], "urn:zv-monitor:problem:not-found", "{path}");
    }
    let res = app
        .request(Method::DELETE, "/api/v1/traeger", Some(&app.hmsi()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    problem(res, 405).await;
}

async fn pollers_read_again_for_a_304(app: TestApp) {
    let hmsi = app.hmsi();
    for path in ["/api/v1/traeger", KASSEL, "/api/v1/obligations?year=2023"] {
        let first = app.get(path, Some(&hmsi)).await;
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        json(first, 200).await;
        let again = app
            .request(Method::GET, path, Some(&hmsi))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());
        let stale = app
            .request(Method::GET, path, Some(&hmsi))
            .header("If-None-Match", "\"0\", W/\"stale\"")
            .send()
            .await
            .unwrap();
        json(stale, 200).await;
    }
    // A change makes a new tag: the poller reads the new state.
    let before = app.get("/api/v1/traeger/06633", Some(&hmsi)).await;
    let etag = before.headers()["etag"].to_str().unwrap().to_owned();
    let mut body = json(before, 200).await;
    body["jobcenter"]["name"] = json!("Jobcenter Kassel-Land");
    for key in ["ags", "version", "created_at", "updated_at"] {
        body.as_object_mut().unwrap().remove(key);
    }
    json(
        app.put("/api/v1/traeger/06633", Some(&hmsi), Some(&etag), &body)
            .await,
        200,
    )
    .await;
    let after = app
        .request(Method::GET, "/api/v1/traeger/06633", Some(&hmsi))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(after, 200).await["jobcenter"]["name"],
        "Jobcenter Kassel-Land"
    );
    // The export is streamed, never held: no tag.
    let export = app.get("/api/v1/exports/facts", Some(&hmsi)).await;
    assert!(export.headers().get("etag").is_none());
}

async fn concurrent_requests_to_ba_get_distinct_numbers(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let hmsi = app.hmsi();
    let body = json!({"year": 2023, "indicators": ["psychosocial_care"],
        "ba_reference": "Tabelle 3.2", "requested_on": "2024-01-17"});
    let mut clients = Vec::new();
    for _ in 0..16 {
        let (app, hmsi, body) = (app.clone(), hmsi.clone(), body.clone());
        clients.push(actix_web::rt::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..13 {
                let res = app.post("/api/v1/transmissions", Some(&hmsi), &body).await;
                ids.push(json(res, 201).await["id"].as_str().unwrap().to_owned());
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for c in clients {
        ids.extend(c.await.unwrap());
    }
    ids.sort_by_key(|id| id.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=16 * 13).map(|n| format!("ba-2023-{n}")).collect();
    assert_eq!(
        ids, expected,
        "every request a number of its own, none skipped"
    );
}

async fn uploads_and_forwarding_need_the_etag_read(app: TestApp) {
    let hmsi = app.hmsi();
    let created = request_ba(&app, json!(["psychosocial_care"])).await;
    let csv = "traeger;indicator;value\n06633;psychosocial_care;6\n";
    let upload = |if_match: Option<&str>| {
        let mut call = app
            .request(Method::PUT, &format!("{T}/data"), Some(&hmsi))
            .header("content-type", "text/csv")
            .body(csv);
        if let Some(tag) = if_match {
            call = call.header("If-Match", tag);
        }
        call.send()
    };
    problem(upload(None).await.unwrap(), 428).await;
    let stale = format!("\"{}\"", created["version"].as_i64().unwrap() + 5);
    problem(upload(Some(&stale)).await.unwrap(), 412).await;
    let current = format!("\"{}\"", created["version"]);
    let stored = upload(Some(&current)).await.unwrap();
    let tag = stored.headers()["etag"].to_str().unwrap().to_owned();
    json(stored, 200).await;
    // Someone else uploads meanwhile: the first one's tag is stale now.
    json(put_csv(&app, "", csv).await, 200).await;
    let go = |tag: Option<String>| {
        let mut call = app.request(Method::POST, &format!("{T}/forward"), Some(&hmsi));
        if let Some(tag) = tag {
            call = call.header("If-Match", tag);
        }
        call.send()
    };
    problem(go(None).await.unwrap(), 428).await;
    problem(go(Some(tag)).await.unwrap(), 412).await;
    let read = app.get(T, Some(&hmsi)).await;
    let current = read.headers()["etag"].to_str().unwrap().to_owned();
    json(go(Some(current)).await.unwrap(), 200).await;
    problem(forward(&app, &hmsi).await, 409).await;
}

/// Every bound the contract declares on a list's query parameter is the service's own: the value
/// at a bound is taken, the one beyond it refused with 400, so a client validating against the
/// spec never sends what would be refused, nor refuses what would be taken.
async fn declared_bounds_are_the_services(app: TestApp) {
    let hmsi = app.hmsi();
    let spec = common::contract::contract().spec();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        if !path.starts_with("/api/v1/") || path.contains('{') {
            continue;
        }
        // The other parameters an operation requires, at their examples.
        let required: Vec<(&str, String)> = params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| {
                let example = p.get("example").unwrap_or(&p["schema"]["example"]);
                let text = example
                    .as_str()
                    .map_or_else(|| example.to_string(), str::to_owned);
                (p["name"].as_str().unwrap(), text)
            })
            .collect();
        for p in params.iter().filter(|p| p["in"] == "query") {
            let (name, schema) = (p["name"].as_str().unwrap(), &p["schema"]);
            let others: String = required
                .iter()
                .filter(|(n, _)| *n != name)
                .map(|(n, v)| format!("&{n}={v}"))
                .collect();
            let mut cases = vec![];
            if let Some(min) = schema["minimum"].as_i64() {
                cases.extend([(min.to_string(), true), ((min - 1).to_string(), false)]);
            }
            if let Some(max) = schema["maximum"].as_i64() {
                cases.extend([(max.to_string(), true), ((max + 1).to_string(), false)]);
            }
            if schema["pattern"] == zv_monitor::domain::traeger::AGS_PATTERN {
                cases.extend([("06633".to_owned(), true), ("06399".to_owned(), false)]);
            }
            for (value, taken) in cases {
                let res = app
                    .get(&format!("{path}?{name}={value}{others}"), Some(&hmsi))
                    .await;
                let status = res.status().as_u16();
                assert_eq!(status != 400, taken, "{path}?{name}={value}: {status}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} bounds checked");
}
