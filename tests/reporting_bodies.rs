//! The reporting bodies of a Träger as a registry, through HTTP on SQLite and PostgreSQL: the
//! Schuldnerberatungsstellen of § 2 (3) registered once are named the same way in every
//! breakdown; a body not registered is still taken, with a warning.

mod common;

use common::seed::{debt_values, draft_debt, sign_kassel};
use common::{TestApp, json, pointers, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    kassel_registers_its_bodies_and_breakdowns_are_checked_against_them,
    names_are_unique_and_changes_need_the_version_read,
    who_may_see_and_keep_the_registry,
);

const BODIES: &str = "/api/v1/traeger/06633/reporting-bodies";
const DIAKONIE: &str = "Schuldner- und Insolvenzberatung der Diakonie Kassel";
const LANDKREIS: &str = "Schuldnerberatung des Landkreises Kassel";

async fn register(app: &TestApp, token: &str, name: &str) -> Value {
    let body = json!({"name": name, "kind": "schuldnerberatung"});
    json(app.post(BODIES, Some(token), &body).await, 201).await
}

/// The pointers of the registry's warnings of a delivery.
fn unregistered(delivery: &Value) -> Vec<String> {
    delivery["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap()
                .contains("registered reporting bodies")
        })
        .map(|w| w["pointer"].as_str().unwrap().to_owned())
        .collect()
}

async fn kassel_registers_its_bodies_and_breakdowns_are_checked_against_them(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    // Before anything is registered, every body of a breakdown is worth a second look.
    let first = draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    assert_eq!(
        unregistered(&first),
        [
            "/values/0/breakdown/0/reporting_body",
            "/values/0/breakdown/1/reporting_body"
        ]
    );
    let diakonie = register(&app, &kassel, DIAKONIE).await;
    assert_eq!(diakonie["id"], "rb-06633-1");
    // HMSI may register for the Träger, too.
    let landkreis = register(&app, &app.hmsi(), LANDKREIS).await;
    assert_eq!(
        (landkreis["id"].as_str(), landkreis["active"].as_bool()),
        (Some("rb-06633-2"), Some(true))
    );
    let list = json(app.get(BODIES, Some(&app.jobcenter("06633"))).await, 200).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [DIAKONIE, LANDKREIS]);
    let edit = |values: Value| json!({"values": values});
    let sub = "/api/v1/submissions/sub-zv-2023-06633-1.3";
    let same = json(
        app.put(
            sub,
            Some(&kassel),
            Some("\"1\""),
            &edit(debt_values(412, 187, 268, 121)),
        )
        .await,
        200,
    )
    .await;
    assert!(unregistered(&same).is_empty(), "{same}");
    // A typing error is taken, and pointed at.
    let mut typo = debt_values(412, 187, 268, 121);
    typo[0]["breakdown"][0]["reporting_body"] = json!("Schuldnerberatung Diakonie Kassel");
    let typed = json(
        app.put(sub, Some(&kassel), Some("\"2\""), &edit(typo))
            .await,
        200,
    )
    .await;
    assert_eq!(
        unregistered(&typed),
        ["/values/0/breakdown/0/reporting_body"]
    );
    // A retired body no longer counts as registered for new figures.
    let url = format!("{BODIES}/rb-06633-1");
    let retired = json(
        app.put(
            &url,
            Some(&kassel),
            Some("\"1\""),
            &json!({"name": DIAKONIE, "kind": "schuldnerberatung", "active": false}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (retired["active"].as_bool(), retired["version"].as_i64()),
        (Some(false), Some(2))
    );
    let again = json(
        app.put(
            sub,
            Some(&kassel),
            Some("\"3\""),
            &edit(debt_values(412, 187, 268, 121)),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        unregistered(&again),
        ["/values/0/breakdown/0/reporting_body"]
    );
    let read = json(app.get(&url, Some(&kassel)).await, 200).await;
    assert_eq!(read, retired);
    let events = json(
        app.get(
            "/api/v1/audit-events?entity_type=reporting_body",
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
    assert_eq!(actions, ["create", "create", "update"]);
}

async fn names_are_unique_and_changes_need_the_version_read(app: TestApp) {
    let kassel = app.traeger("06633");
    register(&app, &kassel, DIAKONIE).await;
    register(&app, &kassel, LANDKREIS).await;
    let refused = [
        (
            json!({"name": DIAKONIE, "kind": "schuldnerberatung"}),
            vec!["/name"],
        ),
        (json!({"name": " ", "kind": "amt"}), vec!["/name", "/kind"]),
        (
            json!({"name": "x".repeat(201), "kind": "other"}),
            vec!["/name"],
        ),
        (json!({}), vec!["/name", "/kind"]),
        // The same name with spaces around it is the same name.
        (
            json!({"name": format!("  {DIAKONIE} "), "kind": "schuldnerberatung"}),
            vec!["/name"],
        ),
        // A NUL character is refused as input, never sent to the database (PostgreSQL stores
        // none): found by schemathesis.
        (
            json!({"name": "Beratung\u{0}stelle", "kind": "other"}),
            vec!["/name"],
        ),
    ];
    for (body, expected) in refused {
        let p = problem(app.post(BODIES, Some(&kassel), &body).await, 422).await;
        assert_eq!(pointers(&p), expected, "{body}");
    }
    problem(
        app.post(BODIES, Some(&kassel), &json!({"name": 5, "kind": "other"}))
            .await,
        400,
    )
    .await;
    let url = format!("{BODIES}/rb-06633-2");
    let rename = json!({"name": DIAKONIE, "kind": "schuldnerberatung"});
    problem(app.put(&url, Some(&kassel), None, &rename).await, 428).await;
    problem(
        app.put(&url, Some(&kassel), Some("\"9\""), &rename).await,
        412,
    )
    .await;
    let p = problem(
        app.put(&url, Some(&kassel), Some("\"1\""), &rename).await,
        422,
    )
    .await;
    assert_eq!(pointers(&p), ["/name"]);
    // Its own name is no clash; an unchanged body changes nothing.
    let same = json!({"name": LANDKREIS, "kind": "schuldnerberatung"});
    let kept = json(
        app.put(&url, Some(&kassel), Some("\"1\""), &same).await,
        200,
    )
    .await;
    assert_eq!(kept["version"], 1);
    let list = json(app.get(BODIES, Some(&kassel)).await, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

async fn who_may_see_and_keep_the_registry(app: TestApp) {
    let kassel = app.traeger("06633");
    register(&app, &kassel, DIAKONIE).await;
    let body = json!({"name": LANDKREIS, "kind": "schuldnerberatung"});
    let one = format!("{BODIES}/rb-06633-1");
    for url in [BODIES, one.as_str()] {
        problem(app.get(url, None).await, 401).await;
        problem(app.get(url, Some("a.b.c")).await, 401).await;
        // Another Träger's registry, or its Jobcenter's view of it: as if there were none.
        problem(app.get(url, Some(&app.traeger("06611"))).await, 404).await;
        problem(app.get(url, Some(&app.jobcenter("06611"))).await, 404).await;
    }
    problem(app.post(BODIES, None, &body).await, 401).await;
    for token in [
        app.sign(app.claims("jobcenter", Some("06633"), "read write")),
        app.sign(app.claims("traeger", Some("06633"), "read")),
        app.hmsi_read_only(),
    ] {
        problem(app.post(BODIES, Some(&token), &body).await, 403).await;
        problem(app.put(&one, Some(&token), Some("*"), &body).await, 403).await;
    }
    problem(
        app.post(BODIES, Some(&app.traeger("06611")), &body).await,
        404,
    )
    .await;
    problem(
        app.put(&one, Some(&app.traeger("06611")), Some("*"), &body)
            .await,
        404,
    )
    .await;
    // A body of one Träger is not found under another's path; malformed AGS and ids.
    problem(
        app.get(
            "/api/v1/traeger/06611/reporting-bodies/rb-06633-1",
            Some(&app.hmsi()),
        )
        .await,
        404,
    )
    .await;
    problem(
        app.get("/api/v1/traeger/6633/reporting-bodies", Some(&app.hmsi()))
            .await,
        400,
    )
    .await;
    problem(
        app.get(&format!("{BODIES}/rb-06633-01"), Some(&app.hmsi()))
            .await,
        404,
    )
    .await;
    let list = json(app.get(BODIES, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing was registered by them"
    );
}
