//! Who may do what with submissions, who sees which, and the recipients' receipts, through
//! HTTP on SQLite and PostgreSQL.

mod common;

use common::seed::{DEBT, SUB, debt_values, draft_debt, post, sign_kassel};
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    receipts_come_from_the_recipients_once,
    who_may_do_what_with_submissions,
    lists_filter_and_stay_within_the_traeger,
);

async fn receipts_come_from_the_recipients_once(app: TestApp) {
    sign_kassel(&app).await;
    let token = app.traeger("06633");
    let jobcenter = app.sign(app.claims("jobcenter", Some("06633"), "read write"));
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    // Nothing went out: for the Jobcenter there is nothing to confirm, nor to see.
    problem(
        app.post(&format!("{SUB}/receipts"), Some(&jobcenter), &json!({}))
            .await,
        404,
    )
    .await;
    let p = problem(
        app.post(&format!("{SUB}/receipts"), Some(&app.hmsi()), &json!({}))
            .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("not been submitted"));
    json(post(&app, &format!("{SUB}/submit"), &token).await, 200).await;

    problem(
        app.post(&format!("{SUB}/receipts"), Some(&token), &json!({}))
            .await,
        403,
    )
    .await;
    problem(
        app.post(
            &format!("{SUB}/receipts"),
            Some(&app.jobcenter("06633")),
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    let other_jc = app.sign(app.claims("jobcenter", Some("06611"), "read write"));
    problem(
        app.post(&format!("{SUB}/receipts"), Some(&other_jc), &json!({}))
            .await,
        404,
    )
    .await;
    problem(
        app.post(
            &format!("{SUB}/receipts"),
            Some(&jobcenter),
            &json!({"revision": 7}),
        )
        .await,
        422,
    )
    .await;

    json(
        app.post(
            &format!("{SUB}/receipts"),
            Some(&jobcenter),
            &json!({"revision": 1}),
        )
        .await,
        201,
    )
    .await;
    problem(
        app.post(&format!("{SUB}/receipts"), Some(&jobcenter), &json!({}))
            .await,
        409,
    )
    .await;
    let both = json(
        app.post(&format!("{SUB}/receipts"), Some(&app.hmsi()), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(
        both["submission"]["receipts_confirmed"],
        json!(["jobcenter", "hmsi"])
    );
    assert_eq!(both["submission"]["receipts_pending"], json!([]));

    // § 3 (3): the report goes to HMSI only; a Jobcenter is no recipient.
    let report = json!({"obligation_id": "zv-2023-06633-1.6", "values": [{"indicator": "but_implementation_report", "value": "Bericht 2023"}]});
    json(
        app.post("/api/v1/submissions", Some(&token), &report).await,
        201,
    )
    .await;
    json(
        post(
            &app,
            "/api/v1/submissions/sub-zv-2023-06633-1.6/submit",
            &token,
        )
        .await,
        200,
    )
    .await;
    // § 3 (3) is not addressed to the Jobcenter: for it, the report does not exist.
    problem(
        app.post(
            "/api/v1/submissions/sub-zv-2023-06633-1.6/receipts",
            Some(&jobcenter),
            &json!({}),
        )
        .await,
        404,
    )
    .await;
}

async fn who_may_do_what_with_submissions(app: TestApp) {
    sign_kassel(&app).await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let body = json!({"obligation_id": DEBT, "values": []});
    for token in [
        app.hmsi(),
        app.sign(app.claims("jobcenter", Some("06633"), "read write")),
        app.sign(app.claims("traeger", Some("06633"), "read")),
    ] {
        problem(
            app.post("/api/v1/submissions", Some(&token), &body).await,
            403,
        )
        .await;
        problem(
            app.put(SUB, Some(&token), Some("\"1\""), &json!({"values": []}))
                .await,
            403,
        )
        .await;
        problem(post(&app, &format!("{SUB}/submit"), &token).await, 403).await;
        problem(post(&app, &format!("{SUB}/corrections"), &token).await, 403).await;
    }
    for token in [
        app.traeger("06633"),
        app.jobcenter("06633"),
        app.hmsi_read_only(),
    ] {
        problem(
            app.post(
                &format!("{SUB}/review"),
                Some(&token),
                &json!({"decision": "accept"}),
            )
            .await,
            403,
        )
        .await;
    }
    // Another Träger's submission does not exist for it.
    let other = app.traeger("06611");
    problem(app.get(SUB, Some(&other)).await, 404).await;
    problem(
        app.get(&format!("{SUB}/revisions"), Some(&other)).await,
        404,
    )
    .await;
    problem(
        app.get(&format!("{SUB}/revisions/1"), Some(&other)).await,
        404,
    )
    .await;
    problem(
        app.put(SUB, Some(&other), Some("\"1\""), &json!({"values": []}))
            .await,
        404,
    )
    .await;
    problem(post(&app, &format!("{SUB}/submit"), &other).await, 404).await;
    problem(post(&app, &format!("{SUB}/corrections"), &other).await, 404).await;
    problem(app.get(SUB, Some(&app.jobcenter("06611"))).await, 404).await;
    // A draft is the Träger's own until it is submitted: its Jobcenter does not see it yet.
    problem(app.get(SUB, Some(&app.jobcenter("06633"))).await, 404).await;
    problem(
        app.get("/api/v1/submissions/sub-nothing", Some(&app.hmsi()))
            .await,
        404,
    )
    .await;
    let s = json(app.get(SUB, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        (s["status"].as_str(), s["version"].as_i64()),
        (Some("draft"), Some(1)),
        "nothing changed"
    );
}

async fn lists_filter_and_stay_within_the_traeger(app: TestApp) {
    sign_kassel(&app).await;
    let token = app.traeger("06633");
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let childcare = json!({"obligation_id": "zv-2023-06633-1.1", "values": [
        {"indicator": "childcare_u3", "value": 57}, {"indicator": "childcare_school", "value": 133}]});
    json(
        app.post("/api/v1/submissions", Some(&token), &childcare)
            .await,
        201,
    )
    .await;
    json(
        post(
            &app,
            "/api/v1/submissions/sub-zv-2023-06633-1.1/submit",
            &token,
        )
        .await,
        200,
    )
    .await;

    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = json(app.get("/api/v1/submissions", Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        ids(&all),
        ["sub-zv-2023-06633-1.1", "sub-zv-2023-06633-1.3"]
    );
    let submitted = json(
        app.get("/api/v1/submissions?status=submitted", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(ids(&submitted), ["sub-zv-2023-06633-1.1"]);
    let debt = json(
        app.get(
            "/api/v1/submissions?section=%C2%A7%202%20(3)&year=2023&traeger=06633",
            Some(&token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(ids(&debt), ["sub-zv-2023-06633-1.3"]);
    let page = json(
        app.get("/api/v1/submissions?limit=1", Some(&token)).await,
        200,
    )
    .await;
    let next = page["next"].as_str().unwrap();
    let rest = json(
        app.get(
            &format!("/api/v1/submissions?limit=1&after={next}"),
            Some(&token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(ids(&rest), ["sub-zv-2023-06633-1.3"]);
    for other in [app.traeger("06611"), app.jobcenter("06611")] {
        assert!(
            ids(&json(app.get("/api/v1/submissions", Some(&other)).await, 200).await).is_empty()
        );
        assert!(
            ids(&json(
                app.get("/api/v1/submissions?traeger=06633", Some(&other))
                    .await,
                200
            )
            .await)
            .is_empty()
        );
    }
    for bad in ["status=late", "year=x", "traeger=1", "limit=0"] {
        problem(
            app.get(&format!("/api/v1/submissions?{bad}"), Some(&app.hmsi()))
                .await,
            400,
        )
        .await;
    }
}
