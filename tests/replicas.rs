//! Two replicas behind one address are one service: a second process of the binary on the
//! test's database beside the test's own, a round-robin proxy before both; Träger write at once
//! with every create retried while the first attempt is under way, and the warehouse follows
//! the change feed page by page from whichever replica answers. Each key makes one object, the
//! feed has every change once and in order, the ledger verifies.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::balancer::Balancer;
use common::binary::BIN;
use common::{SECRET, TestApp, json};
use futures_util::future::{join, join_all};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(two_replicas_behind_one_address_are_one_service);

on_both_backends!(
    mod without_migrating with |s| s.migrate_on_start = false;
    a_replica_that_does_not_migrate_is_ready_once_the_migration_ran,
);

/// A replica process, ended with the test however the test ends.
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The service as a second process on the test's database; its base URL.
async fn second_replica(app: &TestApp) -> (Replica, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Replica(
        Command::new(BIN)
            .arg("serve")
            .env("DATABASE_URL", &app.database_url)
            .env("ZV_JWT_SECRET", SECRET)
            .env("ZV_LISTEN", format!("127.0.0.1:{port}"))
            .env("ZV_TRUSTED_PROXIES", "127.0.0.1")
            .env("ZV_DEADLINE_INTERVAL", "1h")
            .env_remove("ZV_JWKS_FILE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    loop {
        let ready = app.client.get(format!("{base}/health/ready")).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            return (child, base);
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the second replica starts"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A create of Träger `ags` with its key: the first attempt and a retry racing it.
async fn create_twice(app: &TestApp, ags: &str) -> [(u16, Value, bool); 2] {
    let token = app.traeger(ags);
    let path = format!("/api/v1/traeger/{ags}/reporting-bodies");
    let body = json!({"name": format!("Suchtberatung {ags}"), "kind": "suchtberatung"});
    let attempt = || async {
        let res = app
            .request(Method::POST, &path, Some(&token))
            .header("Idempotency-Key", format!("replicas-{ags}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let replayed = res
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|v| v == "true");
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap(), replayed)
    };
    let (first, retry) = join(attempt(), attempt()).await;
    [first, retry]
}

/// Follows the feed five changes at a time until it has been quiet for a while after `done`.
async fn follow_feed(app: &TestApp, done: &std::sync::atomic::AtomicBool) -> Vec<Value> {
    let token = app.hmsi_read_only();
    let (mut seen, mut after, mut quiet) = (Vec::new(), 0, 0);
    while quiet < 10 {
        let path = format!("/api/v1/changes?after={after}&limit=5");
        let page = json(app.get(&path, Some(&token)).await, 200).await;
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            quiet += usize::from(done.load(std::sync::atomic::Ordering::SeqCst));
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        seen.extend(items.iter().cloned());
        after = page["next"].as_i64().unwrap();
    }
    seen
}

async fn two_replicas_behind_one_address_are_one_service(mut app: TestApp) {
    let (second, second_base) = second_replica(&app).await;
    let balancer = Balancer::start(vec![app.base.clone(), second_base]);
    app.base = balancer.url.clone();

    let registry = json(
        app.get("/api/v1/traeger?limit=100", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    let all: Vec<String> = registry["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ags"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 26);

    let done = std::sync::atomic::AtomicBool::new(false);
    let writers = async {
        let answers = join_all(all.iter().map(|ags| create_twice(&app, ags))).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        answers
    };
    let (answers, feed) = join(writers, follow_feed(&app, &done)).await;

    // One object per key: both attempts answer 201 with it, one of them as the replay.
    let mut made = BTreeSet::new();
    for [(s1, b1, r1), (s2, b2, r2)] in &answers {
        assert_eq!((*s1, *s2), (201, 201), "{b1} {b2}");
        assert_eq!(b1["id"], b2["id"]);
        assert!(r1 ^ r2, "exactly one replay: {r1} {r2}");
        made.insert(b1["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(made.len(), 26);

    // The feed read across both replicas: every change once, in commit order, none missed,
    // and each reporting body made exactly once.
    let seqs: Vec<i64> = feed.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    let last = *seqs.last().unwrap();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "gapless and in order");
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    for change in feed.iter().filter(|c| c["entity_type"] == "reporting_body") {
        *created
            .entry(change["entity_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(created.keys().cloned().collect::<BTreeSet<_>>(), made);
    assert!(created.values().all(|n| *n == 1), "{created:?}");

    let verified = json(
        app.get("/api/v1/audit-events/verify", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(verified["ok"], true, "{verified}");
    let answered = balancer.answered();
    assert!(
        answered.iter().all(|n| *n > 20),
        "both replicas answered: {answered:?}"
    );
    drop(second);
    balancer.stop().await;
}

/// Where a migration job runs once before the replicas (docker compose, Kubernetes): a
/// replica started first waits, not ready, and serves once `zv-monitor migrate` has run.
async fn a_replica_that_does_not_migrate_is_ready_once_the_migration_ran(app: TestApp) {
    let pending = common::problem(app.get("/health/ready", None).await, 503).await;
    assert!(
        pending["detail"]
            .as_str()
            .unwrap()
            .contains("migrations are pending"),
        "{pending}"
    );
    common::binary::migrate(&app.database_url);
    json(app.get("/health/ready", None).await, 200).await;
    let registry = json(
        app.get("/api/v1/traeger?limit=100", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(registry["items"].as_array().unwrap().len(), 26);
}
