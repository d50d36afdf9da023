//! The change feed through HTTP: commit order, nothing missed, HMSI read-only access.

mod common;

use std::collections::BTreeSet;

use common::{TestApp, json, problem};
use serde_json::json;

on_both_backends!(
    a_reader_from_zero_sees_every_change_in_order,
    only_hmsi_reads_the_feed,
);

async fn a_reader_from_zero_sees_every_change_in_order(app: TestApp) {
    let token = app.hmsi_read_only();
    let mut seqs = Vec::new();
    let mut after = 0;
    loop {
        let page = json(
            app.get(
                &format!("/api/v1/changes?after={after}&limit=7"),
                Some(&token),
            )
            .await,
            200,
        )
        .await;
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            assert_eq!(page["next"], after, "an empty poll keeps the cursor");
            break;
        }
        seqs.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
        after = page["next"].as_i64().unwrap();
    }
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    let first = json(app.get("/api/v1/changes?limit=1", Some(&token)).await, 200).await;
    assert_eq!(first["items"][0]["entity_type"], "traeger");
    assert_eq!(first["items"][0]["state"]["ags"], "06411");
    assert!(
        first["items"][0].get("actor").is_none(),
        "the feed carries data, not who"
    );

    let body = json!({"name": "Landkreis Kassel", "kind": "landkreis",
                      "jobcenter": {"id": "jc-06633", "name": "JC", "form": "ge"}});
    json(
        app.put(
            "/api/v1/traeger/06633",
            Some(&app.hmsi()),
            Some("\"1\""),
            &body,
        )
        .await,
        200,
    )
    .await;
    let next = json(
        app.get(&format!("/api/v1/changes?after={after}"), Some(&token))
            .await,
        200,
    )
    .await;
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert_eq!(next["items"][0]["state"]["jobcenter"]["name"], "JC");
    assert_eq!(next["next"], after + 1);
}

async fn only_hmsi_reads_the_feed(app: TestApp) {
    for token in [
        app.traeger("06633"),
        app.jobcenter("06633"),
        app.sign(app.claims("hmsi", None, "write")),
    ] {
        problem(app.get("/api/v1/changes", Some(&token)).await, 403).await;
    }
    problem(app.get("/api/v1/changes", None).await, 401).await;
    for bad in ["after=-1", "after=x", "limit=0", "limit=1001", "since=3"] {
        problem(
            app.get(&format!("/api/v1/changes?{bad}"), Some(&app.hmsi()))
                .await,
            400,
        )
        .await;
    }
}

/// Many writers at once, one reader polling all the while: every change is seen exactly once,
/// because no transaction can commit with a number below one already read.
#[actix_web::test]
async fn a_polling_reader_misses_nothing_while_many_write_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let app = &app;
    let writer = |w: usize| async move {
        let token = app.hmsi();
        for i in 0..12 {
            let ags = ["06411", "06412", "06413", "06414", "06431", "06432"][w % 6];
            let body = json!({"name": format!("Träger {w}-{i}"), "kind": "landkreis",
                              "jobcenter": {"id": format!("jc-{ags}"), "name": format!("J{w}-{i}"), "form": "zkt"}});
            let res = app
                .put(
                    &format!("/api/v1/traeger/{ags}"),
                    Some(&token),
                    Some("*"),
                    &body,
                )
                .await;
            assert_eq!(res.status(), 200);
        }
    };
    let reader = async {
        let token = app.hmsi_read_only();
        let mut seen = Vec::new();
        let mut after = 0;
        let mut quiet = 0;
        // Poll until the feed has been quiet for a while after the writers finished.
        while quiet < 20 {
            let page = json(
                app.get(
                    &format!("/api/v1/changes?after={after}&limit=5"),
                    Some(&token),
                )
                .await,
                200,
            )
            .await;
            let items = page["items"].as_array().unwrap();
            if items.is_empty() {
                quiet += 1;
                actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            } else {
                quiet = 0;
            }
            seen.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
            after = page["next"].as_i64().unwrap();
        }
        seen
    };
    let writers = futures_util::future::join_all((0..8).map(writer));
    let (_, seen) = futures_util::future::join(writers, reader).await;
    let distinct: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "no change seen twice");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in commit order");
    let last = *seen.last().unwrap();
    assert_eq!(seen, (1..=last).collect::<Vec<_>>(), "none missed");
    let total = json(
        app.get(&format!("/api/v1/changes?after={last}"), Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(total["items"], json!([]));
    assert!(last >= 48 + 8 * 12);
}
