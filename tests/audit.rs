//! The ledger through HTTP: every write is recorded, chained and verifiable; tampering is
//! found at the row that was changed.

mod common;

use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    the_reference_data_load_is_in_the_ledger,
    only_hmsi_reads_the_ledger,
    events_page_in_commit_order_and_filter,
    an_intact_ledger_verifies,
    the_database_refuses_to_change_the_ledger,
    verify_finds_a_changed_event,
    verify_finds_a_removed_event,
);

async fn events(app: &TestApp, query: &str) -> Vec<Value> {
    let page = json(
        app.get(
            &format!("/api/v1/audit-events?limit=1000&{query}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

async fn update_kassel(app: &TestApp, version: i64, jobcenter_name: &str) {
    let body = json!({
        "name": "Landkreis Kassel", "kind": "landkreis",
        "jobcenter": {"id": "jc-06633", "name": jobcenter_name, "form": "ge"}
    });
    let tag = format!("\"{version}\"");
    json(
        app.put(
            "/api/v1/traeger/06633",
            Some(&app.hmsi()),
            Some(&tag),
            &body,
        )
        .await,
        200,
    )
    .await;
}

/// Events the reference data load wrote: 26 Träger, 35 indicators (20 of the 2023 agreement, 15
/// Kennzahlen of § 48a SGB II), the Kassel agreement
/// created and signed by HMSI.
const SEEDED: i64 = 26 + 35 + 2;

async fn the_reference_data_load_is_in_the_ledger(app: TestApp) {
    let all = events(&app, "").await;
    assert_eq!(all.len() as i64, SEEDED);
    assert!(all.iter().all(|e| e["actor"] == "system:seed"));
    let count = |t: &str| all.iter().filter(|e| e["entity_type"] == t).count();
    assert_eq!(
        (count("traeger"), count("indicator"), count("agreement")),
        (26, 35, 2)
    );
    assert_eq!(all[SEEDED as usize - 1]["action"], "sign");
    assert_eq!(all[0]["seq"], 1);
    assert_eq!(all[0]["prev_hash"], "0".repeat(64));
    assert_eq!(all[1]["prev_hash"], all[0]["hash"]);
}

async fn only_hmsi_reads_the_ledger(app: TestApp) {
    for token in [app.traeger("06633"), app.jobcenter("06633")] {
        problem(app.get("/api/v1/audit-events", Some(&token)).await, 403).await;
        problem(
            app.get("/api/v1/audit-events/verify", Some(&token)).await,
            403,
        )
        .await;
    }
    let no_read = app.sign(app.claims("hmsi", None, "write"));
    problem(app.get("/api/v1/audit-events", Some(&no_read)).await, 403).await;
    json(
        app.get("/api/v1/audit-events/verify", Some(&app.hmsi_read_only()))
            .await,
        200,
    )
    .await;
}

async fn events_page_in_commit_order_and_filter(app: TestApp) {
    update_kassel(&app, 1, "A").await;
    update_kassel(&app, 2, "B").await;
    let token = app.hmsi();
    let mut seqs = Vec::new();
    let mut path = "/api/v1/audit-events?limit=7".to_owned();
    loop {
        let page = json(app.get(&path, Some(&token)).await, 200).await;
        seqs.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["seq"].as_i64().unwrap()),
        );
        match page["next"].as_str() {
            Some(n) => path = format!("/api/v1/audit-events?limit=7&after={n}"),
            None => break,
        }
    }
    assert_eq!(seqs, (1..=SEEDED + 2).collect::<Vec<_>>());

    let kassel = events(&app, "entity_type=traeger&entity_id=06633").await;
    assert_eq!(kassel.len(), 3);
    let by_test = events(&app, "actor=test-hmsi").await;
    assert_eq!(by_test.len(), 2);
    assert_eq!(by_test[1]["before"]["jobcenter"]["name"], "A");
    assert_eq!(by_test[1]["after"]["jobcenter"]["name"], "B");
    assert!(events(&app, "entity_type=submission").await.is_empty());
    problem(
        app.get("/api/v1/audit-events?after=bogus", Some(&token))
            .await,
        400,
    )
    .await;
}

async fn an_intact_ledger_verifies(app: TestApp) {
    update_kassel(&app, 1, "A").await;
    let v = json(
        app.get("/api/v1/audit-events/verify", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(
        v,
        json!({"ok": true, "checked": SEEDED + 1, "first_bad_seq": null})
    );
}

async fn the_database_refuses_to_change_the_ledger(app: TestApp) {
    let err = app
        .sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
        .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let err = app
        .sql("DELETE FROM audit_events WHERE seq = 3")
        .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
}

/// Lifts the append-only guard, as someone with full access to the database could.
fn lift_guard(app: &TestApp) -> &'static str {
    match app.backend {
        zv_monitor::store::Backend::Postgres => {
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;"
        }
        zv_monitor::store::Backend::Sqlite => {
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
        }
    }
}

async fn verify_finds_a_changed_event(app: TestApp) {
    update_kassel(&app, 1, "A").await;
    update_kassel(&app, 2, "B").await;
    let tamper = format!(
        "{} UPDATE audit_events SET after_state = replace(after_state, '\"B\"', '\"C\"') WHERE seq = {};",
        lift_guard(&app),
        SEEDED + 2
    );
    app.sql(&tamper).unwrap();
    let v = json(
        app.get("/api/v1/audit-events/verify", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(
        v,
        json!({"ok": false, "checked": SEEDED + 2, "first_bad_seq": SEEDED + 2})
    );
}

async fn verify_finds_a_removed_event(app: TestApp) {
    update_kassel(&app, 1, "A").await;
    app.sql(&format!(
        "{} DELETE FROM audit_events WHERE seq = 10;",
        lift_guard(&app)
    ))
    .unwrap();
    let v = json(
        app.get("/api/v1/audit-events/verify", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(v, json!({"ok": false, "checked": 10, "first_bad_seq": 10}));
}

/// Numbers follow commit order: many writers at once leave a gapless, intact chain.
#[actix_web::test]
async fn concurrent_writers_leave_a_gapless_chain_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let token = app.hmsi();
    let writes = (0..40).map(|i| {
        let ags = format!("0649{}", i % 10);
        let body = if i < 10 {
            json!({"ags": ags, "name": format!("T{i}"), "kind": "landkreis",
                   "jobcenter": {"id": format!("jc-{ags}"), "name": "J", "form": "zkt"}})
        } else {
            json!({"name": "Landkreis Kassel", "kind": "landkreis",
                   "jobcenter": {"id": "jc-06633", "name": format!("J{i}"), "form": "ge"}})
        };
        let app = &app;
        let token = token.clone();
        async move {
            if i < 10 {
                app.post("/api/v1/traeger", Some(&token), &body)
                    .await
                    .status()
                    .as_u16()
            } else {
                app.put("/api/v1/traeger/06633", Some(&token), Some("*"), &body)
                    .await
                    .status()
                    .as_u16()
            }
        }
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    let all = events(&app, "").await;
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=SEEDED + 40).collect::<Vec<_>>());
    let v = json(
        app.get("/api/v1/audit-events/verify", Some(&token)).await,
        200,
    )
    .await;
    assert_eq!(v["ok"], true);
    assert_eq!(v["checked"], SEEDED + 40);
}
