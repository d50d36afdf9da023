//! Agreements over time, through HTTP on SQLite and PostgreSQL: a signed text changes only by
//! a successor that supersedes it, and a year's agreements roll over into the next.

mod common;

use common::seed::{KASSEL, draft, hmsi_signature, sign, signature};
use common::{TestApp, json, problem};
use serde_json::json;

on_both_backends!(
    a_signed_agreement_changes_only_by_a_successor,
    rollover_carries_agreements_into_the_next_year,
);

async fn a_signed_agreement_changes_only_by_a_successor(app: TestApp) {
    let hmsi = app.hmsi();
    let kassel = json(app.get(KASSEL, Some(&hmsi)).await, 200).await;
    let body = json!({"kind": "reporting", "legal_basis": kassel["legal_basis"], "benefits": kassel["benefits"],
                      "sections": [], "obligations": []});
    let p = problem(
        app.put(KASSEL, Some(&hmsi), Some("\"2\""), &body).await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("copy_from"));

    json(
        sign(
            &app,
            KASSEL,
            &app.traeger("06633"),
            &signature("Kassel", "2023-02-10"),
        )
        .await,
        200,
    )
    .await;
    let successor = draft(&app, "06633", 2023, Some("zv-2023-06633-1")).await;
    let new_id = successor["agreement"]["id"].as_str().unwrap().to_owned();
    assert_eq!(new_id, "zv-2023-06633-2");
    assert_eq!(successor["agreement"]["supersedes"], "zv-2023-06633-1");
    assert_eq!(
        successor["agreement"]["obligations"][0]["due"], "2024-02-15",
        "same year, same dates"
    );
    problem(
        app.post(
            "/api/v1/agreements",
            Some(&hmsi),
            &json!({"traeger": "06633", "year": 2023, "copy_from": "zv-2023-06633-1"}),
        )
        .await,
        409,
    )
    .await;

    let path = format!("/api/v1/agreements/{new_id}");
    assert_eq!(
        json(sign(&app, &path, &hmsi, &hmsi_signature()).await, 200).await["status"],
        "signed_by_one"
    );
    assert_eq!(
        json(app.get(KASSEL, Some(&hmsi)).await, 200).await["status"],
        "in_force",
        "until the successor is"
    );
    let in_force = json(
        sign(
            &app,
            &path,
            &app.traeger("06633"),
            &signature("Kassel", "2024-03-02"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(in_force["status"], "in_force");
    let old = json(app.get(KASSEL, Some(&hmsi)).await, 200).await;
    assert_eq!(old["status"], "superseded");
    let p = problem(sign(&app, KASSEL, &hmsi, &hmsi_signature()).await, 409).await;
    assert!(
        p["detail"].as_str().unwrap().contains("signed for hmsi")
            || p["detail"].as_str().unwrap().contains("superseded")
    );
    let current = json(
        app.get(
            "/api/v1/agreements?year=2023&traeger=06633&status=in_force",
            Some(&hmsi),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(current["items"].as_array().unwrap().len(), 1);
    assert_eq!(current["items"][0]["id"], new_id);
}

async fn rollover_carries_agreements_into_the_next_year(app: TestApp) {
    let hmsi = app.hmsi();
    draft(&app, "06611", 2023, None).await;
    // From 2024 on, § 2 (4) is no longer asked for.
    let discontinue = json!({
        "code": "psychosocial_care", "valid_from": 2024, "section": "§ 2 (4)",
        "name_de": "Psychosoziale Betreuung (entfallen)", "unit": "count", "measure": "flow", "source": "ba",
        "reference": {"kind": "flow", "from": "2024-01-01", "to": "2024-12-31"}, "discontinued": true
    });
    json(
        app.post("/api/v1/indicators", Some(&hmsi), &discontinue)
            .await,
        201,
    )
    .await;

    let request = json!({"from_year": 2023, "to_year": 2024});
    let result = json(
        app.post("/api/v1/agreements/rollover", Some(&hmsi), &request)
            .await,
        200,
    )
    .await;
    let created: Vec<&str> = result["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(created, ["zv-2024-06611-1", "zv-2024-06633-1"]);
    assert_eq!(result["skipped"], json!([]));
    let unmapped = result["unmapped"].as_array().unwrap();
    assert_eq!(unmapped.len(), 2, "{unmapped:?}");
    assert!(
        unmapped
            .iter()
            .all(|u| u["indicator"] == "psychosocial_care" && u["section"] == "§ 2 (4)")
    );

    let kassel_2024 = json(
        app.get("/api/v1/agreements/zv-2024-06633-1", Some(&hmsi))
            .await,
        200,
    )
    .await;
    assert_eq!(kassel_2024["status"], "draft");
    assert!(kassel_2024["signatures"].as_array().unwrap().is_empty());
    let debt = kassel_2024["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["section"] == "§ 2 (3)")
        .unwrap();
    assert_eq!(debt["due"], "2025-02-15");
    let psycho = kassel_2024["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["section"] == "§ 2 (4)")
        .unwrap();
    assert_eq!(psycho["indicators"], json!([]));

    let again = json(
        app.post("/api/v1/agreements/rollover", Some(&hmsi), &request)
            .await,
        200,
    )
    .await;
    assert_eq!(again["created"], json!([]));
    assert_eq!(again["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(
        again["skipped"][1],
        json!({"traeger": "06633", "existing": "zv-2024-06633-1"})
    );

    let obligations = json(
        app.get(
            "/api/v1/agreements/zv-2024-06633-1/obligations",
            Some(&hmsi),
        )
        .await,
        200,
    )
    .await;
    let stock = obligations["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["section"] == "§ 2 (3)")
        .unwrap();
    assert_eq!(
        stock["indicator_details"][0]["reference"]["date"],
        "2024-12-31"
    );

    let p = problem(
        app.post(
            "/api/v1/agreements/rollover",
            Some(&hmsi),
            &json!({"from_year": 2024, "to_year": 2024}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/to_year");
    problem(
        app.post(
            "/api/v1/agreements/rollover",
            Some(&hmsi),
            &json!({"from_year": "2023"}),
        )
        .await,
        400,
    )
    .await;
}
