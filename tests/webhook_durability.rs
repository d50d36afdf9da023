//! At least once, and once where nothing goes wrong: deliveries survive a SIGKILL of the
//! replica sending them, and two replicas on one database share the queue without sending an
//! event twice, on SQLite and PostgreSQL.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::receiver::Receiver;
use common::seed::{SUB, debt_values, draft_debt, post, review, sign_kassel};
use common::{SECRET, TestApp, json};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_zv-monitor");
const TYPES: &str = "agreement.signed,agreement.in_force,submission.submitted,submission.returned,submission.accepted";
const WAIT: Duration = Duration::from_secs(30);

on_both_backends!(
    mod without_workers with |s| {
        s.today = Some("2024-02-20".parse().unwrap());
        s.webhook_workers = 0;
    };
    undelivered_events_are_delivered_after_a_sigkill,
);

on_both_backends!(
    mod with_workers with |s| s.today = Some("2024-02-20".parse().unwrap());
    two_replicas_deliver_each_event_once,
);

/// HMSI subscribes `url` to every event of the flow below; the secret.
async fn subscribe(app: &TestApp, url: &str) -> String {
    let body = json!({"url": url, "event_types": TYPES.split(',').collect::<Vec<_>>()});
    let made = json(
        app.post("/api/v1/subscriptions", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await;
    made["secret"].as_str().unwrap().to_owned()
}

/// Kassel signs and sends its § 2 (3) figures `rounds` times; HMSI returns them each time but
/// the last, which it accepts: a steady stream of events.
async fn figures_back_and_forth(app: &TestApp, rounds: usize) {
    sign_kassel(app).await;
    draft_debt(app, debt_values(412, 187, 268, 121)).await;
    let kassel = app.traeger("06633");
    for round in 0..rounds {
        json(post(app, &format!("{SUB}/submit"), &kassel).await, 200).await;
        if round + 1 == rounds {
            json(review(app, json!({"decision": "accept"})).await, 200).await;
            break;
        }
        let back = json!({"decision": "return", "reason": "Zugänge der Diakonie fehlen."});
        let returned = json(review(app, back).await, 200).await;
        let tag = format!("\"{}\"", returned["submission"]["version"]);
        let values = json!({"values": debt_values(412 + round as i64, 187, 268, 121)});
        json(app.put(SUB, Some(&kassel), Some(&tag), &values).await, 200).await;
    }
}

/// The feed's head: the number of the last event written so far.
async fn head(app: &TestApp) -> i64 {
    let page = json(
        app.get("/api/v1/events?limit=1000", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    page["next"].as_i64().unwrap()
}

/// The ids of the events after `after` HMSI reads of the flow's types.
async fn told(app: &TestApp, after: i64) -> std::collections::BTreeSet<String> {
    let path = format!("/api/v1/events?types={TYPES}&limit=1000&after={after}");
    let page = json(app.get(&path, Some(&app.hmsi())).await, 200).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e: &Value| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The service as a separate process on the test's database, sending webhooks.
fn replica(app: &TestApp) -> Child {
    Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("ZV_JWT_SECRET", SECRET)
        .env("ZV_LISTEN", "127.0.0.1:0")
        .env("ZV_WEBHOOK_WORKERS", "2")
        .env("ZV_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("ZV_WEBHOOK_TIMEOUT", "1s")
        .env("ZV_WEBHOOK_POLL_INTERVAL", "50ms")
        .env(
            "ZV_WEBHOOK_RETRY_SCHEDULE",
            "100ms,100ms,100ms,100ms,100ms,100ms,100ms",
        )
        .env("ZV_DEADLINE_INTERVAL", "1h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn undelivered_events_are_delivered_after_a_sigkill(app: TestApp) {
    // A slow receiver: the replica is killed with deliveries in flight and still queued.
    let receiver = Receiver::start_slow(|_| 204, Duration::from_millis(150));
    let after = head(&app).await;
    let secret = subscribe(&app, &receiver.url).await;
    figures_back_and_forth(&app, 5).await;
    let expected = told(&app, after).await;
    assert_eq!(
        expected.len(),
        12,
        "signed, in force, 5 × submitted, 4 × returned, accepted"
    );
    assert!(receiver.calls().is_empty(), "this replica sends nothing");

    let mut first = replica(&app);
    assert!(receiver.until(WAIT, |calls| calls.len() >= 2).await);
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let before = receiver.ids().len();
    assert!(
        before < expected.len(),
        "killed with {before} of {} delivered",
        expected.len()
    );

    let mut second = replica(&app);
    let all = receiver.until(WAIT, |_| receiver.ids() == expected).await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert!(
        all,
        "{} of {} after the restart",
        receiver.ids().len(),
        expected.len()
    );
    assert!(receiver.calls().iter().all(|c| c.verifies(&secret)));
}

async fn two_replicas_deliver_each_event_once(app: TestApp) {
    let mut settings = common::settings(&app.database_url);
    settings.today = Some("2024-02-20".parse().unwrap());
    let other = zv_monitor::Application::build(settings).await.unwrap();
    let (handle, address) = (other.handle(), other.address());
    actix_web::rt::spawn(other.run_until_stopped());

    let receiver = Receiver::start(|_| 204);
    let after = head(&app).await;
    subscribe(&app, &receiver.url).await;
    figures_back_and_forth(&app, 10).await;
    let expected = told(&app, after).await;
    assert_eq!(
        expected.len(),
        22,
        "2 + 10 × submitted + 9 × returned + accepted"
    );
    assert!(receiver.until(WAIT, |_| receiver.ids() == expected).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let twice: Vec<_> = receiver
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");

    // Every attempt was made by one of the two replicas, and counted there once.
    let mut attempts = 0;
    for base in [app.base.clone(), format!("http://{address}")] {
        let text = app
            .client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        attempts += text
            .lines()
            .find_map(|l| l.strip_prefix("zv_webhook_deliveries_total{outcome=\"delivered\"} "))
            .map_or(0, |n| n.parse::<usize>().unwrap());
    }
    assert_eq!(attempts, expected.len());
    handle.stop(true).await;
}
