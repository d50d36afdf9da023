//! What operators and tools touch: health, metrics, request ids, the contract and Swagger UI,
//! and the problem answers for requests no handler takes.

mod common;

use common::{TestApp, json, problem};
use reqwest::Method;

on_both_backends!(
    liveness_and_readiness_answer,
    request_ids_are_echoed_or_made,
    unknown_routes_and_methods_are_problems,
    metrics_count_requests_by_route_template,
    swagger_ui_and_the_served_contract,
);

async fn liveness_and_readiness_answer(app: TestApp) {
    let live = json(app.get("/health/live", None).await, 200).await;
    assert_eq!(live["status"], "alive");
    let ready = json(app.get("/health/ready", None).await, 200).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database"], app.backend.name());
}

async fn request_ids_are_echoed_or_made(app: TestApp) {
    let res = app
        .request(Method::GET, "/api/v1/traeger/06499", Some(&app.hmsi()))
        .header("X-Request-Id", "jobcenter-kassel-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "jobcenter-kassel-4711");
    let p = problem(res, 404).await;
    assert_eq!(p["instance"], "jobcenter-kassel-4711");

    // An id that could forge log lines is replaced.
    let res = app
        .request(Method::GET, "/health/live", None)
        .header("X-Request-Id", "a b")
        .send()
        .await
        .unwrap();
    let made = res.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(made.len(), 36, "a UUID: {made}");

    // Writes record the request id in the ledger.
    let res = app
        .request(Method::PUT, "/api/v1/traeger/06633", Some(&app.hmsi()))
        .header("X-Request-Id", "hmsi-change-1")
        .header("If-Match", "\"1\"")
        .json(
            &serde_json::json!({"name": "Landkreis Kassel", "kind": "landkreis",
            "jobcenter": {"id": "jc-06633", "name": "JC", "form": "ge"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let events = json(
        app.get("/api/v1/audit-events?actor=test-hmsi", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(events["items"][0]["request_id"], "hmsi-change-1");
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    let p = problem(
        app.get("/api/v1/nothing-here", Some(&app.hmsi())).await,
        404,
    )
    .await;
    assert_eq!(p["type"], "urn:zv-monitor:problem:not-found");
    let res = app
        .request(Method::DELETE, "/api/v1/traeger/06633", Some(&app.hmsi()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, PUT");
    problem(res, 405).await;
    let res = app
        .request(Method::PATCH, "/api/v1/traeger", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    problem(res, 405).await;
}

async fn metrics_count_requests_by_route_template(app: TestApp) {
    for ags in ["06633", "06611"] {
        app.get(&format!("/api/v1/traeger/{ags}"), Some(&app.hmsi()))
            .await;
    }
    let res = app.get("/metrics", None).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/traeger/{ags}",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections_idle"));
    assert!(text.contains(&format!(r#"backend="{}""#, app.backend.name())));
}

async fn swagger_ui_and_the_served_contract(app: TestApp) {
    let res = app.get("/swagger-ui/", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("swagger"));
    let res = app
        .client
        .get(format!("{}/swagger-ui", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the redirect lands on the UI");
    let spec = json(app.get("/api-docs/openapi.json", None).await, 200).await;
    assert_eq!(
        spec,
        serde_json::to_value(zv_monitor::api::openapi()).unwrap()
    );
}

#[actix_web::test]
async fn readiness_fails_when_the_database_is_gone() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    json(app.get("/health/ready", None).await, 200).await;
    app.kill_database();
    let res = app.get("/health/ready", None).await;
    assert!(res.headers().contains_key("retry-after"));
    let p = problem(res, 503).await;
    assert_eq!(p["type"], "urn:zv-monitor:problem:unavailable");
    assert!(
        !p["detail"].as_str().unwrap().contains("127.0.0.1"),
        "no internals: {p}"
    );
    json(app.get("/health/live", None).await, 200).await;
    let p = problem(app.get("/api/v1/traeger", Some(&app.hmsi())).await, 503).await;
    assert_eq!(
        p["detail"],
        "The database is not reachable right now; retry later."
    );
}
