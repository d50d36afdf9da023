//! Submissions through HTTP, on SQLite and PostgreSQL: the § 2 (3) flow of the seed, the
//! validation of figures, revisions, review and corrections.

mod common;

use common::seed::{
    DEBT, SUB, debt_values, draft_debt, ledger_count, obligation, post, review, sign_kassel,
};
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::json;

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    the_debt_counselling_flow_of_the_seed,
    figures_are_checked_completely_when_submitted,
    figures_are_checked_for_form_when_drafted,
    only_obligations_the_traeger_delivers_under_an_agreement_in_force,
    dry_runs_change_nothing,
    drafts_change_with_if_match_and_delivered_revisions_never,
    corrections_keep_the_accepted_revision_valid,
    a_report_is_delivered_as_text,
    two_clients_submitting_at_once_succeed_once,
    big_changes_against_last_year_are_warned_about,
);

async fn the_debt_counselling_flow_of_the_seed(app: TestApp) {
    sign_kassel(&app).await;
    let traeger = app.traeger("06633");
    assert_eq!(obligation(&app, &traeger, DEBT).await["status"], "overdue");

    let res = app
        .post(
            "/api/v1/submissions",
            Some(&traeger),
            &json!({"obligation_id": DEBT, "values": debt_values(412, 187, 268, 121)}),
        )
        .await;
    assert_eq!(res.headers()["location"], SUB);
    let drafted = json(res, 201).await;
    assert_eq!(drafted["submission"]["status"], "draft");
    assert_eq!(
        drafted["submission"]["revision"]["values"][0]["breakdown"][1]["value"],
        181
    );
    assert_eq!(
        obligation(&app, &traeger, DEBT).await["status"],
        "overdue",
        "a draft is not a delivery"
    );

    // Submitted on 20 February 2024: five days after the deadline, accepted all the same.
    let submitted = json(post(&app, &format!("{SUB}/submit"), &traeger).await, 200).await;
    let s = &submitted["submission"];
    assert_eq!(s["status"], "submitted");
    assert_eq!(
        (
            s["revision"]["late"].as_bool(),
            s["revision"]["days_late"].as_i64()
        ),
        (Some(true), Some(5))
    );
    assert_eq!(s["receipts_pending"], json!(["jobcenter", "hmsi"]));
    let o = obligation(&app, &traeger, DEBT).await;
    assert_eq!(
        (
            o["status"].as_str(),
            o["late"].as_bool(),
            o["days_late"].as_i64()
        ),
        (Some("submitted"), Some(true), Some(5))
    );

    let p = problem(review(&app, json!({"decision": "return"})).await, 422).await;
    assert_eq!(pointers(&p), ["/reason"]);
    let returned = json(
        review(
            &app,
            json!({"decision": "return", "reason": "Zugänge der Diakonie fehlen."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(returned["submission"]["status"], "returned");
    assert_eq!(
        returned["submission"]["revision"]["return_reason"],
        "Zugänge der Diakonie fehlen."
    );
    assert_eq!(obligation(&app, &traeger, DEBT).await["status"], "returned");

    let tag = format!("\"{}\"", returned["submission"]["version"]);
    let corrected = json(
        app.put(
            SUB,
            Some(&traeger),
            Some(&tag),
            &json!({"values": debt_values(415, 187, 271, 121)}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(corrected["submission"]["current_revision"], 2);
    assert_eq!(corrected["submission"]["status"], "draft");
    json(post(&app, &format!("{SUB}/submit"), &traeger).await, 200).await;
    let accepted = json(review(&app, json!({"decision": "accept"})).await, 200).await;
    assert_eq!(
        (
            accepted["submission"]["status"].as_str(),
            accepted["submission"]["accepted_revision"].as_i64()
        ),
        (Some("accepted"), Some(2))
    );

    let jobcenter = app.sign(app.claims("jobcenter", Some("06633"), "read write"));
    let receipt = json(
        app.post(&format!("{SUB}/receipts"), Some(&jobcenter), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(
        receipt["submission"]["receipts_confirmed"],
        json!(["jobcenter"])
    );
    assert_eq!(receipt["submission"]["receipts_pending"], json!(["hmsi"]));

    let o = obligation(&app, &jobcenter, DEBT).await;
    assert_eq!(o["status"], "fulfilled");
    assert_eq!(o["submission_id"], "sub-zv-2023-06633-1.3");
    assert_eq!(o["receipts_confirmed"], json!(["jobcenter"]));

    let revisions = json(
        app.get(&format!("{SUB}/revisions"), Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    let items = revisions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (
            items[0]["status"].as_str(),
            items[0]["reviewed_by"].as_str()
        ),
        (Some("returned"), Some("test-hmsi"))
    );
    assert_eq!(
        items[0]["values"][0]["value"], 412,
        "the returned revision stays as it was"
    );
    assert_eq!(
        (
            items[1]["status"].as_str(),
            items[1]["submitted_by"].as_str()
        ),
        (Some("accepted"), Some("test-traeger"))
    );
    assert_eq!(items[1]["receipts"][0]["recipient"], "jobcenter");
    let first = json(
        app.get(&format!("{SUB}/revisions/1"), Some(&traeger)).await,
        200,
    )
    .await;
    assert_eq!(first["days_late"], 5);
    problem(
        app.get(&format!("{SUB}/revisions/9"), Some(&traeger)).await,
        404,
    )
    .await;

    let events = json(
        app.get(
            "/api/v1/audit-events?entity_type=submission",
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
    assert_eq!(
        actions,
        [
            "create", "submit", "return", "update", "submit", "accept", "receipt"
        ]
    );
    assert_eq!(
        events["items"][1]["before"]["revisions"][0]["status"],
        "draft"
    );
    assert_eq!(
        events["items"][1]["after"]["revisions"][0]["status"],
        "submitted"
    );
}

async fn figures_are_checked_completely_when_submitted(app: TestApp) {
    sign_kassel(&app).await;
    // A "davon" larger than its total, a breakdown that does not add up, an indicator missing.
    let values = json!([
        {"indicator": "debt_counselling_stock", "value": 100, "breakdown": [
            {"reporting_body": "A", "value": 60}, {"reporting_body": "B", "value": 30}]},
        {"indicator": "debt_counselling_stock_sgb2", "value": 120},
        {"indicator": "debt_counselling_inflow", "value": 50}
    ]);
    draft_debt(&app, values).await;
    let p = problem(
        post(&app, &format!("{SUB}/submit"), &app.traeger("06633")).await,
        422,
    )
    .await;
    assert_eq!(
        pointers(&p),
        ["/values", "/values/0/breakdown", "/values/1/value"]
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("debt_counselling_inflow_sgb2")
    );
    assert!(
        p["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("debt_counselling_stock")
    );
    let s = json(app.get(SUB, Some(&app.hmsi())).await, 200).await;
    assert_eq!(s["status"], "draft", "nothing changed");
}

async fn figures_are_checked_for_form_when_drafted(app: TestApp) {
    sign_kassel(&app).await;
    let values = json!([
        {"indicator": "debt_counselling_stock", "value": -3},
        {"indicator": "debt_counselling_stock_sgb2", "value": 1.5},
        {"indicator": "debt_counselling_inflow", "value": "viele", "breakdown": [
            {"reporting_body": "A", "value": 1}, {"reporting_body": "A", "value": 2}, {"reporting_body": " ", "value": 1}]},
        {"indicator": "childcare_u3", "value": 4},
        {"indicator": "debt_counselling_stock", "value": 3},
        {"value": 3}
    ]);
    let p = problem(
        app.post(
            "/api/v1/submissions",
            Some(&app.traeger("06633")),
            &json!({"obligation_id": DEBT, "values": values}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        pointers(&p),
        [
            "/values/0/value",
            "/values/1/value",
            "/values/2/value",
            "/values/2/breakdown/1/reporting_body",
            "/values/2/breakdown/2/reporting_body",
            "/values/3/indicator",
            "/values/4/indicator",
            "/values/5/indicator"
        ]
    );
    let p = problem(
        app.post(
            "/api/v1/submissions",
            Some(&app.traeger("06633")),
            &json!({}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/obligation_id"]);
    problem(
        app.post("/api/v1/submissions", Some(&app.traeger("06633")), &json!({"obligation_id": DEBT, "values": [{"indicator": "debt_counselling_stock", "valu": 1}]})).await,
        400,
    )
    .await;
    // A breakdown only where the catalogue asks for one: the § 3 (3) report has none.
    let report = json!({"obligation_id": "zv-2023-06633-1.6", "values": [
        {"indicator": "but_implementation_report", "value": "Bericht", "breakdown": [{"reporting_body": "A", "value": "x"}]}]});
    let p = problem(
        app.post("/api/v1/submissions", Some(&app.traeger("06633")), &report)
            .await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/values/0/breakdown"]);
    problem(app.get(SUB, Some(&app.hmsi())).await, 404).await;
}

async fn only_obligations_the_traeger_delivers_under_an_agreement_in_force(app: TestApp) {
    let token = app.traeger("06633");
    let body = |o: &str| json!({"obligation_id": o, "values": []});
    let p = problem(
        app.post("/api/v1/submissions", Some(&token), &body(DEBT))
            .await,
        409,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("signed_by_one"),
        "{p}"
    );
    sign_kassel(&app).await;
    for (obligation, message) in [
        ("zv-2023-06633-1.2", "HMSI delivers"),
        ("zv-2023-06633-1.99", "no obligation"),
        ("nonsense", "no obligation"),
    ] {
        let p = problem(
            app.post("/api/v1/submissions", Some(&token), &body(obligation))
                .await,
            422,
        )
        .await;
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{obligation}: {p}"
        );
    }
    // Another Träger's obligation looks exactly like one that does not exist.
    let other = problem(
        app.post(
            "/api/v1/submissions",
            Some(&app.traeger("06611")),
            &body(DEBT),
        )
        .await,
        422,
    )
    .await;
    assert!(
        other["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no obligation")
    );

    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let p = problem(
        app.post(
            "/api/v1/submissions",
            Some(&token),
            &json!({"obligation_id": DEBT, "values": []}),
        )
        .await,
        409,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("sub-zv-2023-06633-1.3")
    );
}

async fn dry_runs_change_nothing(app: TestApp) {
    sign_kassel(&app).await;
    let token = app.traeger("06633");
    let before = ledger_count(&app).await;
    let body = json!({"obligation_id": DEBT, "values": debt_values(412, 187, 268, 121)});
    let res = app
        .post("/api/v1/submissions?dry_run=true", Some(&token), &body)
        .await;
    let would = json(res, 200).await;
    assert_eq!(would["dry_run"], true);
    assert_eq!(would["submission"]["status"], "draft");
    problem(app.get(SUB, Some(&token)).await, 404).await;

    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let after_create = ledger_count(&app).await;
    assert_eq!(after_create, before + 1);
    let upd = app
        .request(Method::PUT, &format!("{SUB}?dry_run=true"), Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"values": debt_values(500, 187, 268, 121)}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(upd, 200).await["submission"]["revision"]["values"][0]["value"],
        500
    );
    let sub = json(
        post(&app, &format!("{SUB}/submit?dry_run=true"), &token).await,
        200,
    )
    .await;
    assert_eq!(
        (
            sub["dry_run"].as_bool(),
            sub["submission"]["status"].as_str()
        ),
        (Some(true), Some("submitted"))
    );
    let stored = json(app.get(SUB, Some(&token)).await, 200).await;
    assert_eq!(
        (stored["status"].as_str(), stored["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(stored["revision"]["values"][0]["value"], 412);
    assert_eq!(ledger_count(&app).await, after_create);
    let p = problem(
        post(&app, &format!("{SUB}/submit?dry_run=maybe"), &token).await,
        400,
    )
    .await;
    assert_eq!(p["type"], "urn:zv-monitor:problem:bad-request");
}

async fn drafts_change_with_if_match_and_delivered_revisions_never(app: TestApp) {
    sign_kassel(&app).await;
    let token = app.traeger("06633");
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let values = json!({"values": debt_values(413, 187, 268, 121)});
    problem(app.put(SUB, Some(&token), None, &values).await, 428).await;
    problem(
        app.put(SUB, Some(&token), Some("\"9\""), &values).await,
        412,
    )
    .await;
    let res = app.put(SUB, Some(&token), Some("\"1\""), &values).await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let edited = json(res, 200).await;
    assert_eq!(
        (
            edited["submission"]["current_revision"].as_i64(),
            edited["submission"]["revision"]["values"][0]["value"].as_i64()
        ),
        (Some(1), Some(413))
    );

    let stale = app
        .request(Method::POST, &format!("{SUB}/submit"), Some(&token))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    json(post(&app, &format!("{SUB}/submit"), &token).await, 200).await;
    let p = problem(
        app.put(SUB, Some(&token), Some("\"3\""), &values).await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("submitted"));
    problem(post(&app, &format!("{SUB}/submit"), &token).await, 409).await;
    problem(post(&app, &format!("{SUB}/corrections"), &token).await, 409).await;
    json(review(&app, json!({"decision": "accept"})).await, 200).await;
    let p = problem(review(&app, json!({"decision": "accept"})).await, 409).await;
    assert!(p["detail"].as_str().unwrap().contains("accepted"));
    let p = problem(
        app.put(SUB, Some(&token), Some("\"4\""), &values).await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("correction"));
    problem(review(&app, json!({"decision": "maybe"})).await, 422).await;
}

async fn corrections_keep_the_accepted_revision_valid(app: TestApp) {
    sign_kassel(&app).await;
    let token = app.traeger("06633");
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    json(post(&app, &format!("{SUB}/submit"), &token).await, 200).await;
    json(review(&app, json!({"decision": "accept"})).await, 200).await;

    let res = post(&app, &format!("{SUB}/corrections"), &token).await;
    assert_eq!(res.headers()["location"], format!("{SUB}/revisions/2"));
    let opened = json(res, 201).await;
    assert_eq!(
        (
            opened["submission"]["current_revision"].as_i64(),
            opened["submission"]["accepted_revision"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        opened["submission"]["revision"]["values"][0]["value"], 412,
        "starts from the accepted figures"
    );
    problem(post(&app, &format!("{SUB}/corrections"), &token).await, 409).await;
    assert_eq!(
        obligation(&app, &token, DEBT).await["status"],
        "fulfilled",
        "the accepted revision stays valid"
    );

    let tag = format!("\"{}\"", opened["submission"]["version"]);
    json(
        app.put(
            SUB,
            Some(&token),
            Some(&tag),
            &json!({"values": debt_values(420, 190, 268, 121)}),
        )
        .await,
        200,
    )
    .await;
    json(post(&app, &format!("{SUB}/submit"), &token).await, 200).await;
    assert_eq!(
        json(app.get(SUB, Some(&token)).await, 200).await["accepted_revision"],
        1
    );
    let done = json(review(&app, json!({"decision": "accept"})).await, 200).await;
    assert_eq!(done["submission"]["accepted_revision"], 2);
    let first = json(
        app.get(&format!("{SUB}/revisions/1"), Some(&token)).await,
        200,
    )
    .await;
    assert_eq!(
        (
            first["status"].as_str(),
            first["values"][0]["value"].as_i64()
        ),
        (Some("superseded"), Some(412))
    );
}

async fn a_report_is_delivered_as_text(app: TestApp) {
    sign_kassel(&app).await;
    let token = app.traeger("06633");
    let report = json!({"obligation_id": "zv-2023-06633-1.6", "values": [{"indicator": "but_implementation_report", "value": 42}]});
    let p = problem(
        app.post("/api/v1/submissions", Some(&token), &report).await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/values/0/value"]);
    let report = json!({"obligation_id": "zv-2023-06633-1.6", "values": [{"indicator": "but_implementation_report",
        "value": "Die Leistungen für Bildung und Teilhabe werden über die Schulen beworben."}]});
    json(
        app.post("/api/v1/submissions", Some(&token), &report).await,
        201,
    )
    .await;
    let s = json(
        post(
            &app,
            "/api/v1/submissions/sub-zv-2023-06633-1.6/submit",
            &token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        s["submission"]["revision"]["values"][0]["value"],
        "Die Leistungen für Bildung und Teilhabe werden über die Schulen beworben."
    );
}

async fn two_clients_submitting_at_once_succeed_once(app: TestApp) {
    sign_kassel(&app).await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let token = app.traeger("06633");
    let path = format!("{SUB}/submit");
    let (a, b) =
        futures_util::future::join(post(&app, &path, &token), post(&app, &path, &token)).await;
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert!(
        statuses == [200, 409] || statuses == [200, 412],
        "{statuses:?}"
    );
    let revisions = json(
        app.get(&format!("{SUB}/revisions"), Some(&token)).await,
        200,
    )
    .await;
    assert_eq!(revisions["items"].as_array().unwrap().len(), 1);
    let events = json(
        app.get(
            "/api/v1/audit-events?entity_type=submission",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        events["items"].as_array().unwrap().len(),
        2,
        "create and one submit"
    );
}

async fn big_changes_against_last_year_are_warned_about(app: TestApp) {
    sign_kassel(&app).await;
    let traeger = app.traeger("06633");
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    json(post(&app, &format!("{SUB}/submit"), &traeger).await, 200).await;
    json(review(&app, json!({"decision": "accept"})).await, 200).await;

    json(
        app.post(
            "/api/v1/agreements/rollover",
            Some(&app.hmsi()),
            &json!({"from_year": 2023, "to_year": 2024}),
        )
        .await,
        200,
    )
    .await;
    let next = "/api/v1/agreements/zv-2024-06633-1";
    let sig = json!({"signatories": [{"name": "N. N.", "function": "Landrat"}], "place": "Kassel", "signed_on": "2024-01-10"});
    json(
        app.post(&format!("{next}/signatures"), Some(&app.hmsi()), &sig)
            .await,
        200,
    )
    .await;
    json(
        app.post(&format!("{next}/signatures"), Some(&traeger), &sig)
            .await,
        200,
    )
    .await;

    // Stock down to zero, SGB II part more than doubled: both allowed, both flagged.
    let values = json!([
        {"indicator": "debt_counselling_stock", "value": 0},
        {"indicator": "debt_counselling_stock_sgb2", "value": 0},
        {"indicator": "debt_counselling_inflow", "value": 700},
        {"indicator": "debt_counselling_inflow_sgb2", "value": 130}
    ]);
    let d = json(
        app.post(
            "/api/v1/submissions",
            Some(&traeger),
            &json!({"obligation_id": "zv-2024-06633-1.3", "values": values}),
        )
        .await,
        201,
    )
    .await;
    let warnings = d["warnings"].as_array().unwrap();
    let at: Vec<&str> = warnings
        .iter()
        .map(|w| w["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        at,
        ["/values/0/value", "/values/1/value", "/values/2/value"]
    );
    assert!(warnings[0]["message"].as_str().unwrap().contains("412"));
    assert!(warnings[2]["message"].as_str().unwrap().contains("+161%"));
    let submitted = json(
        post(
            &app,
            "/api/v1/submissions/sub-zv-2024-06633-1.3/submit",
            &traeger,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(submitted["submission"]["status"], "submitted");
    assert_eq!(submitted["warnings"].as_array().unwrap().len(), 3);
}
