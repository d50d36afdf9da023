//! Webhooks through HTTP on SQLite and PostgreSQL, with a real receiver started by the test:
//! signed deliveries verified by a Standard Webhooks library, retries with the same
//! `webhook-id`, who receives what, rotation, 410, replay and the subscriptions' own API.

mod common;

use std::time::Duration;

use common::receiver::Receiver;
use common::seed::{
    debt_values, draft_debt, forward_to_both_kassels, post, review, sign_kassel, submit_debt,
};
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    deliveries_are_signed_and_retried_with_the_same_id,
    a_traeger_subscription_never_receives_another_traegers_event,
    subscriptions_answer_only_their_owners,
    during_a_rotation_both_secrets_sign,
    gone_disables_and_a_replay_sends_again,
    five_days_of_failures_disable_a_subscription,
);

on_both_backends!(
    mod strict with |s| s.webhook_allow_private = false;
    private_receivers_are_refused,
);

const WAIT: Duration = Duration::from_secs(15);

/// `token` subscribes `url` to `types`; the answer, with its secret.
async fn subscribe(app: &TestApp, token: &str, url: &str, types: Value) -> Value {
    let body = json!({"url": url, "event_types": types, "description": "Fachverfahren"});
    json(
        app.post("/api/v1/subscriptions", Some(token), &body).await,
        201,
    )
    .await
}

/// The events `token` may read of `types`, as the feed has them.
async fn feed(app: &TestApp, token: &str, types: &str) -> Vec<Value> {
    let page = json(
        app.get(
            &format!("/api/v1/events?types={types}&limit=1000"),
            Some(token),
        )
        .await,
        200,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

fn ids(events: &[Value]) -> std::collections::BTreeSet<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

fn writer(app: &TestApp, role: &str, ags: &str) -> String {
    app.sign(app.claims(role, Some(ags), "read write"))
}

async fn accepted_kassel(app: &TestApp) {
    sign_kassel(app).await;
    draft_debt(app, debt_values(412, 187, 268, 121)).await;
    submit_debt(app).await;
    json(review(app, json!({"decision": "accept"})).await, 200).await;
}

async fn deliveries_are_signed_and_retried_with_the_same_id(app: TestApp) {
    // Down twice, then up: every event arrives on its third attempt.
    let receiver = Receiver::start(|n| if n <= 2 { 500 } else { 204 });
    let jobcenter = writer(&app, "jobcenter", "06633");
    let types = "submission.submitted,submission.accepted";
    let sub = subscribe(
        &app,
        &jobcenter,
        &receiver.url,
        json!(types.split(',').collect::<Vec<_>>()),
    )
    .await;
    let secret = sub["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 6 + 44,
        "{secret}"
    );
    accepted_kassel(&app).await;

    let told = feed(&app, &jobcenter, types).await;
    assert_eq!(told.len(), 2);
    let delivered = receiver
        .until(WAIT, |_| {
            receiver.counts().values().filter(|n| **n == 3).count() == 2
        })
        .await;
    assert!(delivered, "{:?}", receiver.counts());
    assert_eq!(receiver.ids(), ids(&told), "webhook-id is the event's id");
    for call in receiver.calls() {
        assert!(call.verifies(&secret), "signature of {}", call.id());
        assert!(!call.verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        // The body is the event as the feed has it, without its number.
        let mut event = told.iter().find(|e| e["id"] == call.id()).unwrap().clone();
        event.as_object_mut().unwrap().remove("seq");
        assert_eq!(call.json(), event);
        assert_eq!(call.headers["content-type"], "application/json");
    }

    let path = format!(
        "/api/v1/subscriptions/{}/deliveries",
        sub["id"].as_str().unwrap()
    );
    let page = json(app.get(&path, Some(&jobcenter)).await, 200).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for d in items {
        assert_eq!(d["status"], "delivered");
        let codes: Vec<i64> = d["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status_code"].as_i64().unwrap())
            .collect();
        assert_eq!(codes, [500, 500, 204]);
        assert!(d["next_attempt_at"].is_null() && d["delivered_at"].is_string());
    }
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    for line in [
        "zv_webhook_deliveries_total{outcome=\"delivered\"} 2",
        "zv_webhook_deliveries_total{outcome=\"retry\"} 4",
        "zv_webhook_queue_depth 0",
        "zv_webhook_oldest_pending_seconds 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
}

async fn a_traeger_subscription_never_receives_another_traegers_event(app: TestApp) {
    let types = json!([
        "agreement.signed",
        "agreement.in_force",
        "submission.submitted",
        "submission.accepted",
        "transmission.forwarded",
        "transmission.acknowledged"
    ]);
    let listed = "agreement.signed,agreement.in_force,submission.submitted,submission.accepted,\
                  transmission.forwarded,transmission.acknowledged";
    let (kassel, stadt, hmsi_stadt) = (
        Receiver::start(|_| 204),
        Receiver::start(|_| 204),
        Receiver::start(|_| 204),
    );
    subscribe(&app, &app.traeger("06633"), &kassel.url, types.clone()).await;
    subscribe(&app, &app.traeger("06611"), &stadt.url, types.clone()).await;
    let body = json!({"url": hmsi_stadt.url, "event_types": types, "traeger": "06611"});
    let hmsi_sub = json(
        app.post("/api/v1/subscriptions", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await;
    assert_eq!(
        (hmsi_sub["owner"].as_str(), hmsi_sub["traeger"].as_str()),
        (Some("hmsi"), Some("06611"))
    );

    accepted_kassel(&app).await;
    forward_to_both_kassels(&app).await;

    // Kassel: its own events since it subscribed (the seed's first signature came before).
    let own = feed(&app, &app.traeger("06633"), listed).await;
    let expected: std::collections::BTreeSet<String> = ids(&own[1..]);
    assert!(
        kassel.until(WAIT, |_| kassel.ids() == expected).await,
        "{:?}",
        kassel.ids()
    );
    // Stadt Kassel: the forwarding it has a row in, nothing of Landkreis Kassel's.
    let theirs = feed(&app, &app.traeger("06611"), listed).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["type"], "transmission.forwarded");
    assert!(stadt.until(WAIT, |_| stadt.ids() == ids(&theirs)).await);
    assert!(
        hmsi_stadt
            .until(WAIT, |_| hmsi_stadt.ids() == ids(&theirs))
            .await
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    for receiver in [&stadt, &hmsi_stadt] {
        assert_eq!(receiver.ids(), ids(&theirs), "nothing more came");
        assert!(
            receiver
                .calls()
                .iter()
                .all(|c| c.json()["traeger"] != "06633")
        );
    }
}

async fn subscriptions_answer_only_their_owners(app: TestApp) {
    let url = "https://jobcenter.example/zv-hooks";
    let body = json!({"url": url, "event_types": ["submission.accepted"]});
    let list = "/api/v1/subscriptions";
    problem(app.post(list, None, &body).await, 401).await;
    problem(app.post(list, Some("not.a.token"), &body).await, 401).await;
    let read_only = app.sign(app.claims("traeger", Some("06633"), "read"));
    problem(app.post(list, Some(&read_only), &body).await, 403).await;
    problem(app.get(list, None).await, 401).await;

    let kassel = app.traeger("06633");
    let res = app.post(list, Some(&kassel), &body).await;
    assert_eq!(res.headers()["location"], "/api/v1/subscriptions/wh-1");
    assert_eq!(res.headers()["etag"], "\"1\"");
    let made = json(res, 201).await;
    assert_eq!(
        (
            made["owner"].as_str(),
            made["traeger"].as_str(),
            made["active"].as_bool()
        ),
        (Some("traeger:06633"), Some("06633"), Some(true))
    );
    let one = "/api/v1/subscriptions/wh-1";
    let read = json(app.get(one, Some(&kassel)).await, 200).await;
    assert!(read.get("secret").is_none(), "the secret is shown once");
    json(app.get(one, Some(&app.hmsi())).await, 200).await;
    // Another Träger, and Kassel's own Jobcenter, hold other subscriptions.
    for other in [app.traeger("06611"), app.jobcenter("06633")] {
        problem(app.get(one, Some(&other)).await, 404).await;
        let theirs = json(app.get(list, Some(&other)).await, 200).await;
        assert_eq!(theirs["items"], json!([]));
        problem(
            app.get(&format!("{one}/deliveries"), Some(&other)).await,
            404,
        )
        .await;
    }
    let all = json(app.get(list, Some(&app.hmsi())).await, 200).await;
    assert_eq!(all["items"][0]["id"], "wh-1");
    problem(
        app.get("/api/v1/subscriptions/nonsense", Some(&kassel))
            .await,
        404,
    )
    .await;

    // Changes: by the owner, with the version read.
    let change = json!({"url": url, "event_types": ["submission.accepted", "submission.returned"]});
    let stadt = app.traeger("06611");
    problem(
        app.put(one, Some(&stadt), Some("\"1\""), &change).await,
        404,
    )
    .await;
    problem(app.put(one, Some(&kassel), None, &change).await, 428).await;
    problem(
        app.put(one, Some(&kassel), Some("\"7\""), &change).await,
        412,
    )
    .await;
    let changed = json(
        app.put(one, Some(&kassel), Some("\"1\""), &change).await,
        200,
    )
    .await;
    assert_eq!(changed["version"], 2);
    assert_eq!(
        changed["event_types"],
        json!(["submission.accepted", "submission.returned"])
    );

    // Bad input: every violation at once, nothing made.
    let bad =
        json!({"url": "ftp://user:pw@jobcenter.example/", "event_types": [], "description": ""});
    let p = problem(app.post(list, Some(&kassel), &bad).await, 422).await;
    assert_eq!(pointers(&p), ["/url", "/event_types", "/description"]);
    let bad = json!({"url": url, "event_types": ["submission.eaten", "submission.accepted", "submission.accepted"],
                     "traeger": "06611"});
    let p = problem(app.post(list, Some(&kassel), &bad).await, 422).await;
    assert_eq!(
        pointers(&p),
        ["/event_types/0", "/event_types/2", "/traeger"]
    );
    let unknown = json!({"url": url, "event_types": ["submission.accepted"], "traeger": "06699"});
    let p = problem(app.post(list, Some(&app.hmsi()), &unknown).await, 422).await;
    assert_eq!(pointers(&p), ["/traeger"]);
    let extra = json!({"url": url, "event_types": ["submission.accepted"], "secret": "mine"});
    problem(app.post(list, Some(&kassel), &extra).await, 400).await;
    assert_eq!(
        json(app.get(list, Some(&app.hmsi())).await, 200).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Resending: the owner's, for deliveries and times that exist.
    let replay = format!("{one}/replay");
    problem(
        app.post(
            &replay,
            Some(&stadt),
            &json!({"since": "2024-01-01T00:00:00Z"}),
        )
        .await,
        404,
    )
    .await;
    let p = problem(
        app.post(&replay, Some(&kassel), &json!({"since": "yesterday"}))
            .await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/since"]);
    problem(app.post(&replay, Some(&kassel), &json!({})).await, 422).await;
    problem(
        post(&app, &format!("{one}/deliveries/99/retry"), &kassel).await,
        404,
    )
    .await;
    problem(
        post(&app, &format!("{one}/deliveries/x/retry"), &kassel).await,
        404,
    )
    .await;

    // Rotation and deletion: the owner's too.
    problem(post(&app, &format!("{one}/secret"), &stadt).await, 404).await;
    problem(post(&app, &format!("{one}/secret"), &read_only).await, 403).await;
    let rotated = json(post(&app, &format!("{one}/secret"), &kassel).await, 200).await;
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(rotated["secret"] != made["secret"]);
    assert!(rotated["previous_secret_until"].is_string());
    problem(app.delete(one, Some(&stadt), Some("\"3\"")).await, 404).await;
    problem(app.delete(one, Some(&kassel), Some("\"2\"")).await, 412).await;
    let gone = app.delete(one, Some(&kassel), Some("\"3\"")).await;
    assert_eq!(gone.status(), 204);
    problem(app.get(one, Some(&kassel)).await, 404).await;
    // Every write is in the ledger, never with a secret.
    let ledger = json(
        app.get(
            "/api/v1/audit-events?entity_type=subscription",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let actions: Vec<&str> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "rotate_secret", "delete"]);
    assert!(!ledger.to_string().contains("whsec_"));
}

async fn during_a_rotation_both_secrets_sign(app: TestApp) {
    let receiver = Receiver::start(|_| 204);
    let kassel = app.traeger("06633");
    let made = subscribe(&app, &kassel, &receiver.url, json!(["agreement.in_force"])).await;
    let old = made["secret"].as_str().unwrap().to_owned();
    let rotated = json(
        post(&app, "/api/v1/subscriptions/wh-1/secret", &kassel).await,
        200,
    )
    .await;
    let new = rotated["secret"].as_str().unwrap().to_owned();
    sign_kassel(&app).await;
    assert!(receiver.until(WAIT, |calls| !calls.is_empty()).await);
    let call = &receiver.calls()[0];
    let signatures = call.headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    assert!(call.verifies(&new) && call.verifies(&old));
}

async fn gone_disables_and_a_replay_sends_again(app: TestApp) {
    let receiver = Receiver::start(|_| 410);
    let kassel = app.traeger("06633");
    let types = "agreement.signed,agreement.in_force";
    subscribe(
        &app,
        &kassel,
        &receiver.url,
        json!(["agreement.signed", "agreement.in_force"]),
    )
    .await;
    let one = "/api/v1/subscriptions/wh-1";
    sign_kassel(&app).await;
    let mut disabled = Value::Null;
    for _ in 0..100 {
        disabled = json(app.get(one, Some(&app.hmsi())).await, 200).await;
        if disabled["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(disabled["active"], false);
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("410")
    );
    // Each event that met 410 is not attempted again (two workers may have sent both at once).
    assert!(
        receiver.counts().values().all(|n| *n == 1),
        "{:?}",
        receiver.counts()
    );

    // Back: the owner enables it again, retries the delivery that met 410, replays the rest.
    receiver.answer(|_| 204);
    let tag = format!("\"{}\"", disabled["version"]);
    let body = json!({"url": receiver.url, "event_types": ["agreement.signed", "agreement.in_force"], "active": true});
    let enabled = json(app.put(one, Some(&kassel), Some(&tag), &body).await, 200).await;
    assert_eq!(
        (
            enabled["active"].as_bool(),
            enabled["disabled_reason"].is_null()
        ),
        (Some(true), true)
    );
    // A second worker may have had the other event on the way when the first met 410: it is
    // sent all the same, answered 410 (failed) or, once the receiver is back, 204 (delivered),
    // and its outcome is written a moment after the receiver counted the call.
    let mut failed: Vec<Value> = Vec::new();
    let mut page = Value::Null;
    for _ in 0..100 {
        page = json(
            app.get(&format!("{one}/deliveries"), Some(&kassel)).await,
            200,
        )
        .await;
        let items = page["items"].as_array().unwrap();
        let ended = items
            .iter()
            .filter(|d| d["status"] == "failed" || d["status"] == "delivered")
            .count();
        failed = items
            .iter()
            .filter(|d| d["status"] == "failed")
            .cloned()
            .collect();
        if ended == receiver.calls().len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!failed.is_empty(), "{page:#}");
    assert!(
        failed
            .iter()
            .all(|d| d["attempts"][0]["status_code"] == 410),
        "{page:#}"
    );
    let retried = app
        .request(
            Method::POST,
            &format!("{one}/deliveries/{}/retry", failed[0]["id"]),
            Some(&kassel),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json(retried, 202).await["status"], "pending");
    let replayed = json(
        app.post(
            &format!("{one}/replay"),
            Some(&kassel),
            &json!({"since": "2000-01-01T00:00:00Z"}),
        )
        .await,
        202,
    )
    .await;
    let visible = feed(&app, &kassel, types).await;
    assert_eq!(replayed["queued"].as_u64(), Some(visible.len() as u64));
    assert!(
        receiver
            .until(WAIT, |_| receiver.ids() == ids(&visible))
            .await,
        "{:?}",
        receiver.ids()
    );
}

async fn private_receivers_are_refused(app: TestApp) {
    let kassel = app.traeger("06633");
    for (url, why) in [
        ("https://127.0.0.1/hooks", "loopback"),
        ("https://[::1]/hooks", "loopback"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://localhost/hooks", "loopback"),
        ("http://jobcenter.example/hooks", "https"),
    ] {
        let body = json!({"url": url, "event_types": ["submission.accepted"]});
        let p = problem(
            app.post("/api/v1/subscriptions", Some(&kassel), &body)
                .await,
            422,
        )
        .await;
        assert_eq!(pointers(&p), ["/url"], "{url}");
        assert!(
            p["errors"][0]["message"].as_str().unwrap().contains(why),
            "{url}: {p}"
        );
    }
    let none = json(
        app.get("/api/v1/subscriptions", Some(&app.hmsi())).await,
        200,
    )
    .await;
    assert_eq!(none["items"], json!([]));
}

async fn five_days_of_failures_disable_a_subscription(app: TestApp) {
    let receiver = Receiver::start(|_| 500);
    let kassel = app.traeger("06633");
    subscribe(&app, &kassel, &receiver.url, json!(["agreement.in_force"])).await;
    // Failing since long before: the next failure is one too many.
    app.sql("UPDATE subscriptions SET failing_since = '2024-01-01 00:00:00'")
        .unwrap();
    sign_kassel(&app).await;
    let mut seen = Value::Null;
    for _ in 0..100 {
        let all = json(
            app.get("/api/v1/subscriptions", Some(&app.hmsi())).await,
            200,
        )
        .await;
        seen = all["items"][0].clone();
        if seen["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // HMSI sees it disabled, with the reason and since when it failed.
    assert_eq!(seen["active"], false, "{seen}");
    assert_eq!(seen["disabled_reason"], "every delivery failed for 5 days");
    assert_eq!(seen["failing_since"], "2024-01-01T00:00:00Z");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        receiver.calls().len(),
        1,
        "a disabled subscription is not sent to"
    );
    let ledger = json(
        app.get(
            "/api/v1/audit-events?entity_type=subscription",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let last = ledger["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["actor"].as_str()),
        (Some("disable"), Some("system:webhooks"))
    );
}
