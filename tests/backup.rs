//! `zv-monitor backup FILE` as an operator runs it: a consistent copy of the SQLite database
//! taken while the service serves and writes; a service started on the copy serves what had
//! committed, its ledger intact. PostgreSQL is pg_dump's: the command says so.

mod common;

use std::process::{Command, Output};

use common::binary::BIN;
use common::seed::sign_kassel;
use common::{TestApp, json};
use serde_json::{Value, json};

const BODIES: &str = "/api/v1/traeger/06633/reporting-bodies";

fn backup(database_url: &str, file: &std::path::Path) -> Output {
    Command::new(BIN)
        .arg("backup")
        .arg(file)
        .env("DATABASE_URL", database_url)
        .env_remove("ZV_JWKS_FILE")
        .output()
        .unwrap()
}

async fn verified(app: &TestApp) -> Value {
    json(
        app.get("/api/v1/audit-events/verify", Some(&app.hmsi()))
            .await,
        200,
    )
    .await
}

#[actix_web::test]
async fn a_copy_taken_while_writing_serves_what_had_committed() {
    let app = TestApp::sqlite().await;
    sign_kassel(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite3");

    // Kassel registers reporting bodies all the while the copy is taken.
    let writer = {
        let (base, token, client) = (app.base.clone(), app.traeger("06633"), app.client.clone());
        actix_web::rt::spawn(async move {
            for i in 0..40 {
                let body =
                    json!({"name": format!("Beratungsstelle {i}"), "kind": "schuldnerberatung"});
                let res = client
                    .post(format!("{base}{BODIES}"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
            }
        })
    };
    let (url, target) = (app.database_url.clone(), copy.clone());
    let out = actix_web::rt::task::spawn_blocking(move || backup(&url, &target))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("copied the database to"));
    writer.await.unwrap();

    // The copy is a database of its own: the service starts on it and serves the agreement,
    // some prefix of the bodies, and a ledger that verifies.
    let path = copy.display().to_string();
    let restored = TestApp::sqlite_with(|s| s.database_url = path).await;
    let agreement = "/api/v1/agreements/zv-2023-06633-1";
    let original = json(app.get(agreement, Some(&app.hmsi())).await, 200).await;
    let copied = json(restored.get(agreement, Some(&restored.hmsi())).await, 200).await;
    assert_eq!(copied, original);
    let bodies = json(restored.get(BODIES, Some(&restored.hmsi())).await, 200).await;
    let mut numbers: Vec<usize> = bodies["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .map(|n| n.trim_start_matches("Beratungsstelle ").parse().unwrap())
        .collect();
    numbers.sort_unstable();
    let prefix: Vec<usize> = (0..numbers.len()).collect();
    assert_eq!(
        numbers, prefix,
        "what had committed, in order, nothing half"
    );
    let ledger = verified(&restored).await;
    assert_eq!(ledger["ok"], true, "{ledger}");
    assert_eq!(verified(&app).await["ok"], true);

    // A copy never overwrites a file.
    let again = backup(&app.database_url, &copy);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[test]
fn postgresql_is_pg_dumps() {
    let dir = tempfile::tempdir().unwrap();
    let out = backup(
        "postgres://postgres@127.0.0.1:5432/postgres",
        &dir.path().join("x"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
    assert!(!dir.path().join("x").exists());
}
