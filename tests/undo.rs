//! Undo, through HTTP on SQLite and PostgreSQL: HMSI discards a draft agreement nobody signed
//! and cancels a BA request BA never answered; a Träger throws its draft figures away. What
//! went out or was signed stays. The ledger and the change feed record every discard, and no
//! number is handed out twice.

mod common;

use common::seed::{
    DEBT, KASSEL, SUB, T, debt_values, draft, draft_debt, obligation, post, request_ba, sign_kassel,
};
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    hmsi_discards_a_draft_agreement_and_never_a_signed_one,
    a_traeger_discards_its_draft_figures_and_never_what_went_out,
    hmsi_cancels_a_request_ba_never_answered,
    numbers_handed_out_before_the_counters_are_not_handed_out_again,
    who_may_undo,
);

/// The ledger's events of one entity, oldest first: (action, whether a state follows).
async fn history(app: &TestApp, id: &str) -> Vec<(String, bool)> {
    let events = json(
        app.get(
            &format!("/api/v1/audit-events?entity_id={id}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                !e["after"].is_null(),
            )
        })
        .collect()
}

/// The last change of the feed: its action, entity and state.
async fn last_change(app: &TestApp) -> Value {
    let feed = json(
        app.get("/api/v1/changes?limit=1000", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    feed["items"].as_array().unwrap().last().unwrap().clone()
}

async fn hmsi_discards_a_draft_agreement_and_never_a_signed_one(app: TestApp) {
    let hmsi = app.hmsi();
    draft(&app, "06611", 2023, None).await;
    let url = "/api/v1/agreements/zv-2023-06611-1";
    problem(app.delete(url, Some(&hmsi), None).await, 428).await;
    problem(app.delete(url, Some(&hmsi), Some("\"7\"")).await, 412).await;
    let res = app.delete(url, Some(&hmsi), Some("\"1\"")).await;
    assert_eq!(res.status(), 204);
    problem(app.get(url, Some(&hmsi)).await, 404).await;
    problem(app.delete(url, Some(&hmsi), Some("*")).await, 404).await;
    assert_eq!(
        history(&app, "zv-2023-06611-1").await,
        [("create".to_owned(), true), ("discard".to_owned(), false)]
    );
    let change = last_change(&app).await;
    assert_eq!(
        (change["action"].as_str(), change["entity_id"].as_str()),
        (Some("discard"), Some("zv-2023-06611-1"))
    );
    assert!(change["state"].is_null(), "{change}");
    // The number is not handed out again: a printed id never names another agreement.
    let next = draft(&app, "06611", 2023, None).await;
    assert_eq!(next["agreement"]["id"], "zv-2023-06611-2");
    // Signed by HMSI, or in force: it stays.
    let p = problem(app.delete(KASSEL, Some(&hmsi), Some("*")).await, 409).await;
    assert!(
        p["detail"].as_str().unwrap().contains("signed_by_one"),
        "{p}"
    );
    sign_kassel(&app).await;
    problem(app.delete(KASSEL, Some(&hmsi), Some("*")).await, 409).await;
    json(app.get(KASSEL, Some(&hmsi)).await, 200).await;
}

async fn a_traeger_discards_its_draft_figures_and_never_what_went_out(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    problem(app.delete(SUB, Some(&kassel), None).await, 428).await;
    let res = app.delete(SUB, Some(&kassel), Some("\"1\"")).await;
    assert_eq!(res.status(), 204);
    problem(app.get(SUB, Some(&app.hmsi())).await, 404).await;
    assert_eq!(
        history(&app, "sub-zv-2023-06633-1.3").await,
        [("create".to_owned(), true), ("discard".to_owned(), false)]
    );
    // The obligation is open again (overdue now), and a new draft can be made.
    let debt = obligation(&app, &kassel, DEBT).await;
    assert_eq!(
        (debt["status"].as_str(), debt["submission_id"].as_str()),
        (Some("overdue"), None)
    );
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    json(post(&app, &format!("{SUB}/submit"), &kassel).await, 200).await;
    // Submitted: it went out and stays.
    let p = problem(app.delete(SUB, Some(&kassel), Some("*")).await, 409).await;
    assert!(
        p["detail"].as_str().unwrap().contains("only a draft"),
        "{p}"
    );
    let accept = json!({"decision": "accept"});
    json(
        app.post(&format!("{SUB}/review"), Some(&app.hmsi()), &accept)
            .await,
        200,
    )
    .await;
    let opened = json(
        post(&app, &format!("{SUB}/corrections"), &kassel).await,
        201,
    )
    .await;
    assert_eq!(opened["submission"]["current_revision"], 2);
    let version = opened["submission"]["version"].as_i64().unwrap();
    // A correction's draft goes; the accepted revision is as it was.
    let back = json(
        app.delete(SUB, Some(&kassel), Some(&format!("\"{version}\"")))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (
            back["status"].as_str(),
            back["current_revision"].as_i64(),
            back["accepted_revision"].as_i64()
        ),
        (Some("accepted"), Some(1), Some(1))
    );
    assert_eq!(back["version"].as_i64(), Some(version + 1));
    let read = json(
        app.get(&format!("{SUB}/revisions"), Some(&kassel)).await,
        200,
    )
    .await;
    assert_eq!(read["items"].as_array().unwrap().len(), 1);
    let events = history(&app, "sub-zv-2023-06633-1.3").await;
    assert_eq!(events.last().unwrap(), &("discard".to_owned(), true));
    // The next correction is revision 2 again: the discarded one never went out.
    let again = json(
        post(&app, &format!("{SUB}/corrections"), &kassel).await,
        201,
    )
    .await;
    assert_eq!(again["submission"]["current_revision"], 2);
}

async fn hmsi_cancels_a_request_ba_never_answered(app: TestApp) {
    let hmsi = app.hmsi();
    request_ba(&app, json!(["psychosocial_care"])).await;
    let second = request_ba(&app, json!(["addiction_counselling"])).await;
    assert_eq!(second["id"], "ba-2023-2");
    problem(app.delete(T, Some(&hmsi), None).await, 428).await;
    problem(app.delete(T, Some(&hmsi), Some("\"9\"")).await, 412).await;
    let res = app.delete(T, Some(&hmsi), Some("\"1\"")).await;
    assert_eq!(res.status(), 204);
    problem(app.get(T, Some(&hmsi)).await, 404).await;
    assert_eq!(
        history(&app, "ba-2023-1").await,
        [("create".to_owned(), true), ("cancel".to_owned(), false)]
    );
    // Neither the cancelled number nor the highest is handed out again.
    let third = request_ba(&app, json!(["psychosocial_care"])).await;
    assert_eq!(third["id"], "ba-2023-3");
    let res = app
        .delete("/api/v1/transmissions/ba-2023-3", Some(&hmsi), Some("*"))
        .await;
    assert_eq!(res.status(), 204);
    let fourth = request_ba(&app, json!(["psychosocial_care"])).await;
    assert_eq!(fourth["id"], "ba-2023-4");
    // Answered by BA: it stays on record.
    let csv = "traeger;indicator;value\r\n06633;addiction_counselling;12\r\n";
    let data = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/transmissions/ba-2023-2/data",
            Some(&hmsi),
        )
        .header("content-type", "text/csv")
        .header("If-Match", "*")
        .body(csv)
        .send()
        .await
        .unwrap();
    json(data, 200).await;
    let p = problem(
        app.delete("/api/v1/transmissions/ba-2023-2", Some(&hmsi), Some("*"))
            .await,
        409,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("stays on record"),
        "{p}"
    );
}

/// A database from before the numbers were counted per prefix (migration 12): the counters
/// start above every number it holds and every number its ledger saw created.
async fn numbers_handed_out_before_the_counters_are_not_handed_out_again(app: TestApp) {
    let hmsi = app.hmsi();
    request_ba(&app, json!(["psychosocial_care"])).await;
    request_ba(&app, json!(["psychosocial_care"])).await;
    let cancelled = "/api/v1/transmissions/ba-2023-2";
    assert_eq!(
        app.delete(cancelled, Some(&hmsi), Some("*")).await.status(),
        204
    );
    draft(&app, "06611", 2023, None).await;
    let discarded = "/api/v1/agreements/zv-2023-06611-1";
    assert_eq!(
        app.delete(discarded, Some(&hmsi), Some("*")).await.status(),
        204
    );
    app.sql(
        "DROP TABLE id_counters; \
         DELETE FROM __diesel_schema_migrations WHERE version = '20261202000012';",
    )
    .unwrap();
    common::binary::migrate(&app.database_url);
    // Only the ledger still knows ba-2023-2 and zv-2023-06611-1; the table knows ba-2023-1.
    assert_eq!(
        request_ba(&app, json!(["psychosocial_care"])).await["id"],
        "ba-2023-3"
    );
    let next = draft(&app, "06611", 2023, None).await;
    assert_eq!(next["agreement"]["id"], "zv-2023-06611-2");
    // A prefix that never had a number starts at 1.
    let first = draft(&app, "06412", 2023, None).await;
    assert_eq!(first["agreement"]["id"], "zv-2023-06412-1");
}

async fn who_may_undo(app: TestApp) {
    draft(&app, "06611", 2023, None).await;
    request_ba(&app, json!(["psychosocial_care"])).await;
    sign_kassel(&app).await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    let agreement = "/api/v1/agreements/zv-2023-06611-1";
    let read_only_hmsi = app.hmsi_read_only();
    let cases: [(&str, Vec<String>); 3] = [
        (
            agreement,
            vec![
                app.traeger("06611"),
                app.jobcenter("06611"),
                read_only_hmsi.clone(),
            ],
        ),
        (
            T,
            vec![
                app.traeger("06633"),
                app.jobcenter("06633"),
                read_only_hmsi.clone(),
            ],
        ),
        (
            SUB,
            vec![
                app.hmsi(),
                app.sign(app.claims("jobcenter", Some("06633"), "read write")),
                app.sign(app.claims("traeger", Some("06633"), "read")),
            ],
        ),
    ];
    for (url, refused) in cases {
        problem(app.delete(url, None, Some("*")).await, 401).await;
        problem(app.delete(url, Some("not.a.token"), Some("*")).await, 401).await;
        for token in refused {
            problem(app.delete(url, Some(&token), Some("*")).await, 403).await;
        }
    }
    // Another Träger's draft does not exist for it; nor does an id of impossible shape.
    problem(
        app.delete(SUB, Some(&app.traeger("06611")), Some("*"))
            .await,
        404,
    )
    .await;
    problem(
        app.delete(
            "/api/v1/submissions/sub-%00",
            Some(&app.traeger("06633")),
            Some("*"),
        )
        .await,
        404,
    )
    .await;
    problem(
        app.delete("/api/v1/agreements/nonsense", Some(&app.hmsi()), Some("*"))
            .await,
        404,
    )
    .await;
    problem(
        app.delete(agreement, Some(&app.hmsi()), Some("W/\"1\""))
            .await,
        412,
    )
    .await;
    // Nothing was undone by any of them.
    json(app.get(agreement, Some(&app.hmsi())).await, 200).await;
    json(app.get(T, Some(&app.hmsi())).await, 200).await;
    json(app.get(SUB, Some(&app.hmsi())).await, 200).await;
}
