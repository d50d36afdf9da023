//! `zv-monitor seed --demo` on a running service's database, on SQLite and PostgreSQL: a full
//! year of marked example data appears through the API; a second run adds nothing; nothing of
//! it is there by default.

mod common;

use std::process::Command;

use common::binary::BIN;
use common::seed::KASSEL;
use common::{TestApp, json};
use serde_json::Value;

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    the_demonstration_fills_a_year_and_only_once,
);

/// `zv-monitor seed --demo` on the app's database: its message.
fn seed_demo(app: &TestApp) -> String {
    let out = Command::new(BIN)
        .args(["seed", "--demo"])
        .env("DATABASE_URL", &app.database_url)
        .env("ZV_JWT_SECRET", common::SECRET)
        .env_remove("ZV_JWKS_FILE")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    said
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

async fn the_demonstration_fills_a_year_and_only_once(app: TestApp) {
    let hmsi = app.hmsi();
    let before = json(app.get("/api/v1/submissions", Some(&hmsi)).await, 200).await;
    assert!(items(&before).is_empty(), "no example data by default");

    let said = seed_demo(&app);
    assert!(said.contains("25 agreements in force"), "{said}");
    let in_force = json(
        app.get(
            "/api/v1/agreements?year=2023&status=in_force&limit=100",
            Some(&hmsi),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(items(&in_force).len(), 25);
    let signatory = &items(&in_force)[0]["signatures"][0]["signatories"][0]["name"];
    assert!(
        signatory.as_str().unwrap().starts_with("[Demo]"),
        "{signatory}"
    );
    // Kassel's seeded agreement is as the seed has it, waiting for the Träger.
    let kassel = json(app.get(KASSEL, Some(&hmsi)).await, 200).await;
    assert_eq!(kassel["status"], "signed_by_one");

    let all = json(
        app.get("/api/v1/submissions?limit=1000", Some(&hmsi)).await,
        200,
    )
    .await;
    let statuses: Vec<&str> = items(&all)
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert!(statuses.len() >= 90, "{} submissions", statuses.len());
    for status in ["accepted", "returned", "submitted"] {
        assert!(statuses.contains(&status), "{status} in {statuses:?}");
    }
    // Every fifth Träger has not delivered § 2 (1): overdue, as a real year has some.
    let overdue = json(
        app.get(
            "/api/v1/obligations?year=2023&status=overdue&section=%C2%A7%202%20(1)",
            Some(&hmsi),
        )
        .await,
        200,
    )
    .await;
    assert!(!items(&overdue).is_empty());
    // BA's data went out: a Träger reads its own forwarded rows, and the export has figures.
    let frankfurt = app.traeger("06412");
    let forwarded = json(
        app.get("/api/v1/transmissions", Some(&frankfurt)).await,
        200,
    )
    .await;
    assert_eq!(items(&forwarded).len(), 2, "§ 2 figures and the Kennzahlen");
    for t in items(&forwarded) {
        assert!(t["ba_reference"].as_str().unwrap().starts_with("DEMO"));
    }
    // The Kennzahlen month by month: Frankfurt's K3 from January to October.
    let k3 = json(
        app.get(
            "/api/v1/reports/series?indicator=k3&from=2023",
            Some(&frankfurt),
        )
        .await,
        200,
    )
    .await;
    let months: Vec<&str> = items(&k3)
        .iter()
        .map(|p| p["month"].as_str().unwrap())
        .collect();
    assert_eq!(months.len(), 10);
    assert_eq!((months[0], months[9]), ("2023-01", "2023-10"));
    let facts = json(
        app.get(
            "/api/v1/exports/facts?format=json&year=2023",
            Some(&frankfurt),
        )
        .await,
        200,
    )
    .await;
    assert!(items(&facts).iter().any(|f| f["source"] == "ba"));
    assert!(items(&facts).iter().any(|f| f["source"] == "traeger"));
    let bodies = json(
        app.get("/api/v1/traeger/06412/reporting-bodies", Some(&frankfurt))
            .await,
        200,
    )
    .await;
    assert_eq!(items(&bodies).len(), 2);
    // Written as any client writes: the ledger names the demonstration's actors.
    let events = json(
        app.get("/api/v1/audit-events?actor=demo-hmsi&limit=5", Some(&hmsi))
            .await,
        200,
    )
    .await;
    assert_eq!(items(&events).len(), 5);
    let verified = json(
        app.get("/api/v1/audit-events/verify", Some(&hmsi)).await,
        200,
    )
    .await;
    assert_eq!(verified["ok"], true);

    let again = seed_demo(&app);
    assert!(again.contains("nothing added"), "{again}");
    let after = json(
        app.get("/api/v1/submissions?limit=1000", Some(&hmsi)).await,
        200,
    )
    .await;
    assert_eq!(items(&after).len(), statuses.len());
}
