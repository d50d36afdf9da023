//! The events integrators are told of, pulled through `/api/v1/events` on SQLite and
//! PostgreSQL: what each role sees, in commit order, and the deadlines told once on the
//! business date.

mod common;

use std::time::Duration;

use common::receiver::Receiver;
use common::seed::{
    DEBT, SUB, T, debt_values, draft_debt, forward_to_both_kassels, post, review, sign_kassel,
    submit_debt,
};
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    each_role_reads_the_events_it_would_be_sent,
    forwarded_data_is_told_to_the_traeger_it_concerns,
    the_feed_refuses_what_it_cannot_read,
);

on_both_backends!(
    mod on_2024_02_01 with |s| s.today = Some("2024-02-01".parse().unwrap());
    due_soon_is_told_once_per_obligation,
);

on_both_backends!(
    mod on_2024_02_16 with |s| s.today = Some("2024-02-16".parse().unwrap());
    overdue_is_told_the_day_after,
    overdue_is_told_of_what_the_traeger_owes_under_agreements_in_force,
);

const SUBMISSION_EVENTS: &str = "agreement.signed,agreement.in_force,submission.submitted,\
    submission.returned,submission.accepted,submission.correction_opened,receipt.confirmed";

/// The events `token` reads after 0 with `query` (e.g. `types=…`).
async fn events(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page = json(
        app.get(&format!("/api/v1/events?{query}"), Some(token))
            .await,
        200,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn each_role_reads_the_events_it_would_be_sent(app: TestApp) {
    sign_kassel(&app).await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    submit_debt(&app).await;
    json(review(&app, json!({"decision": "accept"})).await, 200).await;
    let kassel = app.traeger("06633");
    json(
        post(&app, &format!("{SUB}/corrections"), &kassel).await,
        201,
    )
    .await;

    let query = format!("types={SUBMISSION_EVENTS}");
    let all = events(&app, &app.hmsi(), &query).await;
    // The seed's agreement came signed by HMSI; Kassel's signature puts it in force.
    let told = [
        "agreement.signed",
        "agreement.signed",
        "agreement.in_force",
        "submission.submitted",
        "submission.accepted",
        "submission.correction_opened",
    ];
    assert_eq!(types(&all), told);
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "commit order: {seqs:?}"
    );
    let accepted = &all[4];
    assert_eq!(accepted["traeger"], "06633");
    assert!(accepted["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(
        accepted["data"],
        json!({"submission_id": "sub-zv-2023-06633-1.3", "revision": 1, "links": {
            "submission": SUB, "revision": format!("{SUB}/revisions/1")}})
    );

    // The Träger reads all of its own, the same events with the same ids.
    assert_eq!(events(&app, &kassel, &query).await, all);
    // Its Jobcenter, a recipient of § 2 (3), is never told of the draft of a correction.
    let jobcenter = events(&app, &app.jobcenter("06633"), &query).await;
    assert_eq!(types(&jobcenter), told[..5]);
    // Another Träger, and its Jobcenter, learn of nothing of Kassel's.
    for other in [app.traeger("06611"), app.jobcenter("06611")] {
        assert_eq!(events(&app, &other, &query).await, Vec::<Value>::new());
    }

    // Paging: `next` of a page is where the next poll starts; a poll with nothing new keeps it.
    let first = json(
        app.get(&format!("/api/v1/events?{query}&limit=2"), Some(&kassel))
            .await,
        200,
    )
    .await;
    assert_eq!(first["next"], all[1]["seq"]);
    let rest = events(&app, &kassel, &format!("{query}&after={}", first["next"])).await;
    assert_eq!(rest, all[2..]);
    let last = all[5]["seq"].as_i64().unwrap();
    let empty = json(
        app.get(
            &format!("/api/v1/events?{query}&after={last}"),
            Some(&kassel),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(empty, json!({"items": [], "next": last}));
    // One type only.
    let only = events(&app, &kassel, "types=submission.accepted").await;
    assert_eq!(only, [all[4].clone()]);
}

async fn forwarded_data_is_told_to_the_traeger_it_concerns(app: TestApp) {
    forward_to_both_kassels(&app).await;

    let query = "types=transmission.forwarded,transmission.acknowledged";
    let all = events(&app, &app.hmsi(), query).await;
    assert_eq!(
        types(&all),
        ["transmission.forwarded", "transmission.acknowledged"]
    );
    assert_eq!(all[0]["traeger"], Value::Null, "it concerns several");
    assert_eq!(
        all[0]["data"]["links"]["data"],
        format!("{T}/data"),
        "read through the API"
    );
    for token in [app.traeger("06633"), app.jobcenter("06633")] {
        assert_eq!(events(&app, &token, query).await, all);
    }
    // Stadt Kassel learns of the forwarding, not of Kassel's acknowledgement.
    let stadt = events(&app, &app.traeger("06611"), query).await;
    assert_eq!(stadt, all[..1]);
    // A Träger with no row in it learns of nothing.
    assert!(events(&app, &app.traeger("06411"), query).await.is_empty());
}

async fn the_feed_refuses_what_it_cannot_read(app: TestApp) {
    problem(app.get("/api/v1/events", None).await, 401).await;
    problem(app.get("/api/v1/events", Some("not.a.token")).await, 401).await;
    let write_only = app.sign(app.claims("traeger", Some("06633"), "write"));
    problem(app.get("/api/v1/events", Some(&write_only)).await, 403).await;
    for query in [
        "types=submission.eaten",
        "after=-1",
        "limit=0",
        "limit=1001",
        "after=x",
    ] {
        let res = app
            .get(&format!("/api/v1/events?{query}"), Some(&app.hmsi()))
            .await;
        problem(res, 400).await;
    }
    let p = problem(
        app.get("/api/v1/events?types=submission.eaten", Some(&app.hmsi()))
            .await,
        400,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("submission.eaten"),
        "{p}"
    );
}

/// Polls until `token` reads an event of `kind` about `obligation`, then lets the scheduler run
/// some more turns; the events of that kind about it.
async fn told(app: &TestApp, kind: &str, obligation: &str) -> Vec<Value> {
    let about = |list: Vec<Value>| -> Vec<Value> {
        list.into_iter()
            .filter(|e| e["data"]["obligation_id"] == obligation)
            .collect()
    };
    let query = format!("types={kind}");
    for _ in 0..100 {
        if !about(events(app, &app.traeger("06633"), &query).await).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The scheduler runs every 200 ms in tests: several more turns.
    tokio::time::sleep(Duration::from_millis(700)).await;
    about(events(app, &app.hmsi(), &query).await)
}

async fn due_soon_is_told_once_per_obligation(app: TestApp) {
    // Nothing is due while the agreement is not in force.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        events(
            &app,
            &app.hmsi(),
            "types=obligation.due_soon,obligation.overdue"
        )
        .await
        .is_empty()
    );
    // Kassel's Jobcenter has its system told, too.
    let receiver = Receiver::start(|_| 204);
    let body = json!({"url": receiver.url, "event_types": ["obligation.due_soon"]});
    let jobcenter_writer = app.sign(app.claims("jobcenter", Some("06633"), "read write"));
    json(
        app.post("/api/v1/subscriptions", Some(&jobcenter_writer), &body)
            .await,
        201,
    )
    .await;
    sign_kassel(&app).await;
    // § 2 (3) is due on 15 February 2024: from 1 February it is due soon.
    let due_soon = told(&app, "obligation.due_soon", DEBT).await;
    assert_eq!(due_soon.len(), 1, "once: {due_soon:?}");
    let all_due_soon = events(&app, &app.jobcenter("06633"), "types=obligation.due_soon").await;
    let wanted: std::collections::BTreeSet<String> = all_due_soon
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        receiver
            .until(Duration::from_secs(10), |_| receiver.ids() == wanted)
            .await
    );
    assert!(receiver.counts().values().all(|n| *n == 1), "each once");
    assert_eq!(due_soon[0]["traeger"], "06633");
    assert_eq!(
        due_soon[0]["data"]["links"]["obligations"],
        "/api/v1/agreements/zv-2023-06633-1/obligations"
    );
    let jobcenter = events(&app, &app.jobcenter("06633"), "types=obligation.due_soon").await;
    assert!(jobcenter.contains(&due_soon[0]));
    assert!(
        events(&app, &app.traeger("06611"), "types=obligation.due_soon")
            .await
            .is_empty()
    );
    assert!(
        events(&app, &app.hmsi(), "types=obligation.overdue")
            .await
            .is_empty()
    );
}

async fn overdue_is_told_the_day_after(app: TestApp) {
    sign_kassel(&app).await;
    let overdue = told(&app, "obligation.overdue", DEBT).await;
    assert_eq!(overdue.len(), 1, "once: {overdue:?}");
    // Submitted since: nothing more is told of it.
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    submit_debt(&app).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = events(&app, &app.hmsi(), "types=obligation.overdue").await;
    let about: Vec<_> = all
        .iter()
        .filter(|e| e["data"]["obligation_id"] == DEBT)
        .collect();
    assert_eq!(about.len(), 1);
}

async fn overdue_is_told_of_what_the_traeger_owes_under_agreements_in_force(app: TestApp) {
    sign_kassel(&app).await;
    // Stadt Kassel's agreement, signed by HMSI only: it binds no one yet.
    let body = json!({"traeger": "06611", "year": 2023});
    let path = "/api/v1/agreements";
    json(app.post(path, Some(&app.hmsi()), &body).await, 201).await;
    let sig = json!({"signatories": [{"name": "N. N.", "function": "Staatssekretär"}],
                     "place": "Wiesbaden", "signed_on": "2023-03-01"});
    let path = "/api/v1/agreements/zv-2023-06611-1/signatures";
    json(app.post(path, Some(&app.hmsi()), &sig).await, 200).await;
    told(&app, "obligation.overdue", DEBT).await;
    let listed = json(
        app.get(
            "/api/v1/obligations?status=overdue&limit=1000",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let owed = |agreement_status: &str| -> std::collections::BTreeSet<String> {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["agreement_status"] == agreement_status && o["delivered_by"] == "traeger")
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let told: std::collections::BTreeSet<String> =
        events(&app, &app.hmsi(), "types=obligation.overdue")
            .await
            .iter()
            .map(|e| e["data"]["obligation_id"].as_str().unwrap().to_owned())
            .collect();
    assert!(told.contains(DEBT));
    assert_eq!(
        told,
        owed("in_force"),
        "every overdue obligation owed, once"
    );
    assert!(
        !owed("signed_by_one").is_empty(),
        "Stadt Kassel's are overdue as well, and not told"
    );
}
