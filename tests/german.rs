//! German for people, through HTTP on SQLite and PostgreSQL: with `Accept-Language: de` a
//! problem's title, detail and validation messages are German; English stays the default for
//! machines; types, pointers, enum values and field names stay as they are. (Every problem any
//! test meets must have a German form: the shared test app checks it.)

mod common;

use common::seed::{KASSEL, sign_kassel};
use common::{TestApp, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    problems_speak_german_to_whoever_prefers_it,
    english_stays_the_default_for_machines,
);

/// A request with `Accept-Language`, answered with `status`: its problem and headers.
async fn asked(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    language: &str,
    status: u16,
) -> (Value, reqwest::header::HeaderMap) {
    let mut call = app
        .request(method, path, token)
        .header("Accept-Language", language);
    if let Some(b) = body {
        call = call.json(&b);
    }
    let res = call.send().await.unwrap();
    let headers = res.headers().clone();
    (problem(res, status).await, headers)
}

async fn problems_speak_german_to_whoever_prefers_it(app: TestApp) {
    let kassel = app.traeger("06633");
    let (p, headers) = asked(
        &app,
        Method::POST,
        "/api/v1/traeger/06633/reporting-bodies",
        Some(&kassel),
        Some(json!({"name": " ", "kind": "amt"})),
        "de-DE,de;q=0.9,en;q=0.5",
        422,
    )
    .await;
    assert_eq!(headers["content-language"], "de");
    assert_eq!(headers["vary"], "Accept-Language");
    assert_eq!(p["type"], "urn:zv-monitor:problem:validation");
    assert_eq!(p["title"], "Ungültige Anfrage");
    assert_eq!(
        p["detail"],
        "Die Anfrage hat 2 ungültige Felder; siehe `errors`."
    );
    assert_eq!(
        p["errors"],
        json!([
            {"pointer": "/name", "message": "darf nicht leer sein"},
            {"pointer": "/kind", "message": "`amt` ist keiner der Werte: jugendamt, schuldnerberatung, suchtberatung, other"}
        ])
    );
    // A state that forbids the change, in German, with the ids and states as they are.
    let (p, _) = asked(
        &app,
        Method::POST,
        "/api/v1/submissions",
        Some(&kassel),
        Some(json!({"obligation_id": "zv-2023-06633-1.3"})),
        "de",
        409,
    )
    .await;
    assert_eq!(p["title"], "Konflikt");
    assert_eq!(
        p["detail"],
        "die Vereinbarung zv-2023-06633-1 ist signed_by_one: Kennzahlen werden unter einer Vereinbarung in Kraft geliefert"
    );
    sign_kassel(&app).await;
    let (p, _) = asked(&app, Method::GET, KASSEL, None, None, "de", 401).await;
    assert_eq!(
        (p["title"].as_str(), p["detail"].as_str()),
        (
            Some("Nicht angemeldet"),
            Some("diese Operation braucht ein Bearer-Token")
        )
    );
    let (p, _) = asked(
        &app,
        Method::GET,
        "/api/v1/nothing-here",
        Some(&kassel),
        None,
        "de",
        404,
    )
    .await;
    assert_eq!(
        p["detail"],
        "Unter /api/v1/nothing-here gibt es keine Ressource."
    );
    let (p, _) = asked(
        &app,
        Method::GET,
        "/api/v1/agreements?year=1999",
        Some(&kassel),
        None,
        "de",
        400,
    )
    .await;
    assert_eq!(
        p["detail"],
        "`year`: 1999 ist kein Jahr zwischen 2005 und 2100"
    );
    let (p, _) = asked(
        &app,
        Method::DELETE,
        KASSEL,
        Some(&app.hmsi()),
        None,
        "de",
        428,
    )
    .await;
    assert_eq!(p["title"], "Vorbedingung erforderlich");
}

async fn english_stays_the_default_for_machines(app: TestApp) {
    let kassel = app.traeger("06633");
    let body = json!({"name": " ", "kind": "amt"});
    for language in ["en", "en-US,en;q=0.9,de;q=0.8", "*", "de;q=0, en", "fr"] {
        let (p, headers) = asked(
            &app,
            Method::POST,
            "/api/v1/traeger/06633/reporting-bodies",
            Some(&kassel),
            Some(body.clone()),
            language,
            422,
        )
        .await;
        assert_eq!(p["title"], "Invalid request", "{language}");
        assert_eq!(p["errors"][0]["message"], "must not be empty");
        assert!(headers.get("content-language").is_none());
    }
    let res = app
        .post(
            "/api/v1/traeger/06633/reporting-bodies",
            Some(&kassel),
            &body,
        )
        .await;
    assert_eq!(res.headers()["vary"], "Accept-Language");
    assert_eq!(
        problem(res, 422).await["detail"],
        "The request has 2 invalid fields; see `errors`."
    );
}
