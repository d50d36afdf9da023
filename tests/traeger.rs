//! The Träger registry through HTTP, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    hmsi_lists_all_26_traeger_page_by_page,
    filters_select_by_jobcenter_form_and_kind,
    traeger_and_jobcenter_tokens_see_only_their_own_traeger,
    reading_one_traeger_gives_its_etag,
    another_traegers_entry_is_not_found_for_a_traeger_token,
    malformed_path_and_query_values_are_bad_requests,
    hmsi_creates_a_traeger,
    creating_an_existing_traeger_conflicts,
    invalid_traeger_reports_every_violation_at_once,
    a_jobcenter_belongs_to_one_traeger_only,
    idempotency_key_replays_the_first_response,
    idempotency_key_with_another_body_is_refused,
    only_hmsi_with_write_scope_maintains_the_registry,
    update_requires_the_current_etag,
    update_with_unchanged_body_changes_nothing,
    malformed_bodies_are_refused_with_problems,
    refused_writes_change_nothing,
);

fn kassel_update(jobcenter_name: &str) -> Value {
    json!({
        "name": "Landkreis Kassel",
        "kind": "landkreis",
        "jobcenter": {"id": "jc-06633", "name": jobcenter_name, "form": "ge"}
    })
}

/// A Träger that is not in the shipped registry (06 4 99 is no Kreis; it is only for tests).
fn new_traeger(ags: &str) -> Value {
    json!({
        "ags": ags,
        "name": format!("Testkreis {ags}"),
        "kind": "landkreis",
        "jobcenter": {"id": format!("jc-{ags}"), "name": format!("Jobcenter {ags}"), "form": "zkt"}
    })
}

async fn all_pages(app: &TestApp, query: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = format!("/api/v1/traeger?{query}");
    loop {
        let page = json(app.get(&path, Some(token)).await, 200).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/traeger?{query}&after={next}"),
            None => return items,
        }
    }
}

async fn hmsi_lists_all_26_traeger_page_by_page(app: TestApp) {
    let token = app.hmsi();
    let items = all_pages(&app, "limit=10", &token).await;
    let ags: Vec<&str> = items.iter().map(|t| t["ags"].as_str().unwrap()).collect();
    assert_eq!(ags.len(), 26);
    let mut sorted = ags.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ags, "AGS order, no duplicates across pages");
    let kassel = items.iter().find(|t| t["ags"] == "06633").unwrap();
    assert_eq!(kassel["name"], "Landkreis Kassel");
    assert_eq!(kassel["jobcenter"]["form"], "ge");

    let first = json(app.get("/api/v1/traeger", Some(&token)).await, 200).await;
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        26,
        "default limit 100"
    );
    assert!(first["next"].is_null());
}

async fn filters_select_by_jobcenter_form_and_kind(app: TestApp) {
    let token = app.hmsi();
    let zkt = all_pages(&app, "form=zkt", &token).await;
    assert_eq!(zkt.len(), 16);
    assert!(zkt.iter().all(|t| t["jobcenter"]["form"] == "zkt"));
    let ge = all_pages(&app, "form=ge", &token).await;
    assert_eq!(ge.len(), 10);
    let staedte = all_pages(&app, "kind=kreisfreie_stadt", &token).await;
    assert_eq!(staedte.len(), 5);
    let ge_staedte = all_pages(&app, "kind=kreisfreie_stadt&form=ge&limit=1", &token).await;
    assert!(
        ge_staedte
            .iter()
            .all(|t| t["kind"] == "kreisfreie_stadt" && t["jobcenter"]["form"] == "ge")
    );
}

async fn traeger_and_jobcenter_tokens_see_only_their_own_traeger(app: TestApp) {
    for token in [app.traeger("06633"), app.jobcenter("06633")] {
        let items = all_pages(&app, "limit=5", &token).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["ags"], "06633");
    }
    let filtered = all_pages(&app, "form=zkt", &app.traeger("06633")).await;
    assert!(filtered.is_empty(), "Kassel's Jobcenter is a gE");
}

async fn reading_one_traeger_gives_its_etag(app: TestApp) {
    let res = app
        .get("/api/v1/traeger/06633", Some(&app.traeger("06633")))
        .await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    let body = json(res, 200).await;
    assert_eq!(body["ags"], "06633");
    assert_eq!(body["version"], 1);
    assert_eq!(body["jobcenter"]["id"], "jc-06633");
}

async fn another_traegers_entry_is_not_found_for_a_traeger_token(app: TestApp) {
    let res = app
        .get("/api/v1/traeger/06611", Some(&app.traeger("06633")))
        .await;
    let not_found = problem(res, 404).await;
    let res = app
        .get("/api/v1/traeger/06499", Some(&app.traeger("06633")))
        .await;
    let absent = problem(res, 404).await;
    assert_eq!(
        not_found["detail"], absent["detail"],
        "existence is not revealed"
    );
    problem(
        app.get("/api/v1/traeger/06611", Some(&app.jobcenter("06633")))
            .await,
        404,
    )
    .await;
    problem(
        app.get("/api/v1/traeger/06499", Some(&app.hmsi())).await,
        404,
    )
    .await;
}

async fn malformed_path_and_query_values_are_bad_requests(app: TestApp) {
    let token = app.hmsi();
    for path in [
        "/api/v1/traeger/6633",
        "/api/v1/traeger/09162",
        "/api/v1/traeger?limit=0",
        "/api/v1/traeger?limit=1001",
        "/api/v1/traeger?limit=ten",
        "/api/v1/traeger?form=optionskommune",
        "/api/v1/traeger?after=%%%",
        "/api/v1/traeger?from=zkt",
    ] {
        let body = problem(app.get(path, Some(&token)).await, 400).await;
        assert_eq!(body["type"], "urn:zv-monitor:problem:bad-request", "{path}");
    }
}

async fn hmsi_creates_a_traeger(app: TestApp) {
    let res = app
        .post("/api/v1/traeger", Some(&app.hmsi()), &new_traeger("06499"))
        .await;
    assert_eq!(res.headers()["location"], "/api/v1/traeger/06499");
    assert_eq!(res.headers()["etag"], "\"1\"");
    assert!(res.headers().get("idempotent-replayed").is_none());
    let created = json(res, 201).await;
    assert_eq!(created["name"], "Testkreis 06499");
    let read = json(
        app.get("/api/v1/traeger/06499", Some(&app.hmsi())).await,
        200,
    )
    .await;
    assert_eq!(read, created);

    let events = json(
        app.get(
            "/api/v1/audit-events?entity_type=traeger&entity_id=06499",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let events = events["items"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "create");
    assert_eq!(events[0]["actor"], "test-hmsi");
    assert!(events[0]["before"].is_null());
    assert_eq!(events[0]["after"]["name"], "Testkreis 06499");
}

async fn creating_an_existing_traeger_conflicts(app: TestApp) {
    let mut body = new_traeger("06633");
    body["jobcenter"]["id"] = json!("jc-new");
    let p = problem(
        app.post("/api/v1/traeger", Some(&app.hmsi()), &body).await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("06633"));
}

async fn invalid_traeger_reports_every_violation_at_once(app: TestApp) {
    let body = json!({
        "ags": "6633",
        "name": " ",
        "kind": "bezirk",
        "jobcenter": {"id": "JC 1", "form": "gemeinsam"}
    });
    let p = problem(
        app.post("/api/v1/traeger", Some(&app.hmsi()), &body).await,
        422,
    )
    .await;
    assert_eq!(p["type"], "urn:zv-monitor:problem:validation");
    let found = pointers(&p);
    assert_eq!(
        found,
        [
            "/ags",
            "/name",
            "/kind",
            "/jobcenter/id",
            "/jobcenter/name",
            "/jobcenter/form"
        ]
    );

    let p = problem(
        app.post("/api/v1/traeger", Some(&app.hmsi()), &json!({}))
            .await,
        422,
    )
    .await;
    let found = pointers(&p);
    assert_eq!(found, ["/ags", "/name", "/kind", "/jobcenter"]);
}

async fn a_jobcenter_belongs_to_one_traeger_only(app: TestApp) {
    let mut body = new_traeger("06499");
    body["jobcenter"]["id"] = json!("jc-06633");
    let p = problem(
        app.post("/api/v1/traeger", Some(&app.hmsi()), &body).await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("06633"));

    let current = app.get("/api/v1/traeger/06611", Some(&app.hmsi())).await;
    let tag = current.headers()["etag"].to_str().unwrap().to_owned();
    let steal = kassel_update("Jobcenter");
    let p = problem(
        app.put(
            "/api/v1/traeger/06611",
            Some(&app.hmsi()),
            Some(&tag),
            &steal,
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("jc-06633"));
}

async fn idempotency_key_replays_the_first_response(app: TestApp) {
    let send = || {
        app.request(Method::POST, "/api/v1/traeger", Some(&app.hmsi()))
            .header("Idempotency-Key", "6d1c3c1e-create-06499")
            .json(&new_traeger("06499"))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first_body: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], "/api/v1/traeger/06499");
    let again_body: Value = again.json().await.unwrap();
    assert_eq!(again_body, first_body);

    let events = json(
        app.get("/api/v1/audit-events?entity_id=06499", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 1, "written once");
}

async fn idempotency_key_with_another_body_is_refused(app: TestApp) {
    let send = |body: Value| {
        app.request(Method::POST, "/api/v1/traeger", Some(&app.hmsi()))
            .header("Idempotency-Key", "key-1")
            .json(&body)
            .send()
    };
    assert_eq!(send(new_traeger("06499")).await.unwrap().status(), 201);
    let p = problem(send(new_traeger("06498")).await.unwrap(), 422).await;
    assert_eq!(p["type"], "urn:zv-monitor:problem:idempotency-key-reused");
    problem(
        app.get("/api/v1/traeger/06498", Some(&app.hmsi())).await,
        404,
    )
    .await;

    let bad_key = app
        .request(Method::POST, "/api/v1/traeger", Some(&app.hmsi()))
        .header("Idempotency-Key", "x".repeat(300))
        .json(&new_traeger("06497"))
        .send()
        .await
        .unwrap();
    problem(bad_key, 400).await;
}

async fn only_hmsi_with_write_scope_maintains_the_registry(app: TestApp) {
    let refused = [
        app.traeger("06633"),
        app.traeger("06499"),
        app.jobcenter("06633"),
        app.hmsi_read_only(),
    ];
    for token in &refused {
        let p = problem(
            app.post("/api/v1/traeger", Some(token), &new_traeger("06499"))
                .await,
            403,
        )
        .await;
        assert_eq!(p["type"], "urn:zv-monitor:problem:forbidden");
        problem(
            app.put(
                "/api/v1/traeger/06633",
                Some(token),
                Some("\"1\""),
                &kassel_update("X"),
            )
            .await,
            403,
        )
        .await;
    }
    // A write-only token may not even read.
    let write_only = app.sign(app.claims("hmsi", None, "write"));
    problem(app.get("/api/v1/traeger", Some(&write_only)).await, 403).await;
    let kassel = json(
        app.get("/api/v1/traeger/06633", Some(&app.hmsi())).await,
        200,
    )
    .await;
    assert_eq!(kassel["version"], 1, "nothing changed");
}

async fn update_requires_the_current_etag(app: TestApp) {
    let token = app.hmsi();
    let path = "/api/v1/traeger/06633";
    let p = problem(
        app.put(path, Some(&token), None, &kassel_update("JC Kassel-Land"))
            .await,
        428,
    )
    .await;
    assert_eq!(p["type"], "urn:zv-monitor:problem:precondition-required");

    let res = app
        .put(
            path,
            Some(&token),
            Some("\"1\""),
            &kassel_update("JC Kassel-Land"),
        )
        .await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let updated = json(res, 200).await;
    assert_eq!(updated["jobcenter"]["name"], "JC Kassel-Land");
    assert_eq!(updated["version"], 2);
    assert_ne!(updated["updated_at"], updated["created_at"]);

    for stale in ["\"1\"", "W/\"2\"", "garbage"] {
        problem(
            app.put(path, Some(&token), Some(stale), &kassel_update("Other"))
                .await,
            412,
        )
        .await;
    }
    problem(
        app.put(
            "/api/v1/traeger/06499",
            Some(&token),
            Some("\"1\""),
            &kassel_update("X"),
        )
        .await,
        404,
    )
    .await;

    let events = json(
        app.get("/api/v1/audit-events?entity_id=06633", Some(&token))
            .await,
        200,
    )
    .await;
    let events = events["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "seed and one update");
    assert_eq!(events[1]["action"], "update");
    assert_eq!(
        events[1]["before"]["jobcenter"]["name"],
        "Jobcenter Landkreis Kassel"
    );
    assert_eq!(events[1]["after"]["jobcenter"]["name"], "JC Kassel-Land");
    assert!(
        events[1]["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    let any = app
        .put(path, Some(&token), Some("*"), &kassel_update("Any"))
        .await;
    assert_eq!(json(any, 200).await["version"], 3);
}

async fn update_with_unchanged_body_changes_nothing(app: TestApp) {
    let token = app.hmsi();
    let same = kassel_update("Jobcenter Landkreis Kassel");
    let res = app
        .put("/api/v1/traeger/06633", Some(&token), Some("\"1\""), &same)
        .await;
    assert_eq!(json(res, 200).await["version"], 1);
    let events = json(
        app.get("/api/v1/audit-events?entity_id=06633", Some(&token))
            .await,
        200,
    )
    .await;
    assert_eq!(
        events["items"].as_array().unwrap().len(),
        1,
        "only the seed event"
    );
}

async fn malformed_bodies_are_refused_with_problems(app: TestApp) {
    let token = app.hmsi();
    let raw = |body: &'static str, content_type: &'static str| {
        app.request(Method::POST, "/api/v1/traeger", Some(&token))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let p = problem(
        raw("{\"ags\": \"06499\",", "application/json")
            .await
            .unwrap(),
        400,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("line 1 column"),
        "{p}"
    );
    let p = problem(
        raw("{\"ags\": 6499}", "application/json").await.unwrap(),
        400,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("invalid type"),
        "{p}"
    );
    let p = problem(
        raw("{\"agz\": \"06499\"}", "application/json")
            .await
            .unwrap(),
        400,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("unknown field"),
        "{p}"
    );
    problem(
        raw("ags=06499", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
    )
    .await;

    let mut huge = new_traeger("06499");
    huge["name"] = json!("x".repeat(100 * 1024));
    problem(app.post("/api/v1/traeger", Some(&token), &huge).await, 413).await;
}

async fn refused_writes_change_nothing(app: TestApp) {
    let token = app.hmsi();
    let before = json(
        app.get("/api/v1/audit-events?limit=1000", Some(&token))
            .await,
        200,
    )
    .await;
    let _ = app
        .post("/api/v1/traeger", Some(&token), &json!({"ags": "06499"}))
        .await;
    let _ = app
        .post("/api/v1/traeger", None, &new_traeger("06499"))
        .await;
    let _ = app
        .post(
            "/api/v1/traeger",
            Some(&app.traeger("06499")),
            &new_traeger("06499"),
        )
        .await;
    let _ = app
        .put(
            "/api/v1/traeger/06633",
            Some(&token),
            Some("\"9\""),
            &kassel_update("X"),
        )
        .await;
    let after = json(
        app.get("/api/v1/audit-events?limit=1000", Some(&token))
            .await,
        200,
    )
    .await;
    assert_eq!(before, after);
    problem(app.get("/api/v1/traeger/06499", Some(&token)).await, 404).await;
}
