//! A duty without figures (§ 5 (1): taking part in HMSI's surveys and conferences) is met by a
//! confirmation in words, submitted and reviewed like figures, through HTTP on SQLite and
//! PostgreSQL.

mod common;

use common::seed::{obligation, post, sign_kassel};
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    kassel_confirms_section_5_1_and_it_is_fulfilled,
    a_confirmation_is_only_for_a_duty_without_figures,
    who_may_confirm_and_who_sees_it,
);

const SURVEYS: &str = "zv-2023-06633-1.9";
const CONFIRMATION: &str = "/api/v1/submissions/sub-zv-2023-06633-1.9";
const TEXT: &str = "Teilnahme an der Fachtagung des HMSI am 14.11.2023 in Frankfurt am Main; \
                    Umfrage zur Schuldnerberatung am 02.10.2023 beantwortet";

async fn status_of(app: &TestApp, id: &str) -> Value {
    obligation(app, &app.hmsi(), id).await["status"].clone()
}

async fn kassel_confirms_section_5_1_and_it_is_fulfilled(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    assert_eq!(status_of(&app, SURVEYS).await, "open");
    // A draft first, without the text; submitting it asks for one.
    let body = json!({"obligation_id": SURVEYS});
    let draft = json(
        app.post("/api/v1/submissions", Some(&kassel), &body).await,
        201,
    )
    .await;
    assert_eq!(draft["submission"]["revision"]["confirmation"], Value::Null);
    let p = problem(
        post(&app, &format!("{CONFIRMATION}/submit"), &kassel).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/confirmation");
    let edited = json(
        app.put(
            CONFIRMATION,
            Some(&kassel),
            Some("\"1\""),
            &json!({"confirmation": TEXT}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["submission"]["revision"]["confirmation"], TEXT);
    let submitted = json(
        post(&app, &format!("{CONFIRMATION}/submit"), &kassel).await,
        200,
    )
    .await;
    assert_eq!(submitted["submission"]["status"], "submitted");
    assert_eq!(
        submitted["submission"]["revision"]["submitted_by"],
        "test-traeger"
    );
    assert_eq!(status_of(&app, SURVEYS).await, "submitted");
    let accepted = json(
        app.post(
            &format!("{CONFIRMATION}/review"),
            Some(&app.hmsi()),
            &json!({"decision": "accept"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accepted["submission"]["accepted_revision"], 1);
    assert_eq!(status_of(&app, SURVEYS).await, "fulfilled");
    // Who confirmed, when, and what: kept with the revision.
    let read = json(app.get(CONFIRMATION, Some(&app.hmsi())).await, 200).await;
    let r = &read["revision"];
    assert_eq!(
        (r["confirmation"].as_str(), r["status"].as_str()),
        (Some(TEXT), Some("accepted"))
    );
    assert!(r["submitted_at"].is_string());
    // Not a figure: the facts export has nothing of it.
    let facts = json(
        app.get(
            "/api/v1/exports/facts?format=json&section=%C2%A7%205%20(1)",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(facts["items"], json!([]));
}

async fn a_confirmation_is_only_for_a_duty_without_figures(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    let cases = [
        // Figures where none are asked for.
        (
            json!({"obligation_id": SURVEYS, "values": [{"indicator": "childcare_u3", "value": 3}]}),
            "/values/0/indicator",
        ),
        // A confirmation where figures are asked for.
        (
            json!({"obligation_id": "zv-2023-06633-1.3", "confirmation": TEXT}),
            "/confirmation",
        ),
        // Empty, too long, or with a NUL character.
        (
            json!({"obligation_id": SURVEYS, "confirmation": "  "}),
            "/confirmation",
        ),
        (
            json!({"obligation_id": SURVEYS, "confirmation": "x".repeat(2001)}),
            "/confirmation",
        ),
        (
            json!({"obligation_id": SURVEYS, "confirmation": "Tagung\u{0}"}),
            "/confirmation",
        ),
    ];
    for (body, pointer) in cases {
        let p = problem(
            app.post("/api/v1/submissions", Some(&kassel), &body).await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["pointer"], pointer, "{body}");
    }
    problem(
        app.post(
            "/api/v1/submissions",
            Some(&kassel),
            &json!({"obligation_id": SURVEYS, "confirmation": 5}),
        )
        .await,
        400,
    )
    .await;
    problem(app.get(CONFIRMATION, Some(&kassel)).await, 404).await;
}

async fn who_may_confirm_and_who_sees_it(app: TestApp) {
    sign_kassel(&app).await;
    let body = json!({"obligation_id": SURVEYS, "confirmation": TEXT});
    let url = "/api/v1/submissions";
    problem(app.post(url, None, &body).await, 401).await;
    problem(app.post(url, Some("not-a-token"), &body).await, 401).await;
    problem(app.post(url, Some(&app.hmsi()), &body).await, 403).await;
    problem(
        app.post(url, Some(&app.jobcenter("06633")), &body).await,
        403,
    )
    .await;
    let read_only = app.sign(app.claims("traeger", Some("06633"), "read"));
    problem(app.post(url, Some(&read_only), &body).await, 403).await;
    // Another Träger's obligation does not exist for it.
    problem(app.post(url, Some(&app.traeger("06611")), &body).await, 422).await;
    json(app.post(url, Some(&app.traeger("06633")), &body).await, 201).await;
    json(
        post(
            &app,
            &format!("{CONFIRMATION}/submit"),
            &app.traeger("06633"),
        )
        .await,
        200,
    )
    .await;
    // It goes to HMSI alone: the Jobcenter never sees it, another Träger neither.
    json(app.get(CONFIRMATION, Some(&app.hmsi())).await, 200).await;
    problem(
        app.get(CONFIRMATION, Some(&app.jobcenter("06633"))).await,
        404,
    )
    .await;
    problem(
        app.get(CONFIRMATION, Some(&app.traeger("06611"))).await,
        404,
    )
    .await;
}
