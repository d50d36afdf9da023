//! Where obligations stand, through HTTP on SQLite and PostgreSQL: open until the deadline,
//! overdue after it, and the ministry's overview across all Träger.

mod common;

use common::seed::{
    KASSEL, SUB, debt_values, draft, draft_debt, forward, obligation, post, put_csv, request_ba,
    sign, sign_kassel, signature,
};
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod before_the_deadline with |s| s.today = Some("2024-02-15".parse().unwrap());
    obligations_are_open_until_their_deadline,
);

on_both_backends!(
    mod after_the_deadline with |s| s.today = Some("2024-02-16".parse().unwrap());
    obligations_are_overdue_after_their_deadline,
);

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    hmsi_sees_at_a_glance_who_is_overdue,
    obligations_signed_by_one_party_are_listed_with_the_agreements_status,
    ba_data_counts_for_a_traeger_only_with_its_own_row,
);

async fn obligation_statuses(app: &TestApp) -> Vec<(String, String)> {
    let list = json(
        app.get(
            &format!("{KASSEL}/obligations"),
            Some(&app.traeger("06633")),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(list["agreement_id"], "zv-2023-06633-1");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["section"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn obligations_are_open_until_their_deadline(app: TestApp) {
    let statuses = obligation_statuses(&app).await;
    assert!(statuses.iter().all(|(_, s)| s == "open"), "{statuses:?}");
    let list = json(
        app.get(
            &format!("{KASSEL}/obligations"),
            Some(&app.jobcenter("06633")),
        )
        .await,
        200,
    )
    .await;
    let debt = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["section"] == "§ 2 (3)")
        .unwrap();
    let codes: Vec<&str> = debt["indicator_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "debt_counselling_stock",
            "debt_counselling_stock_sgb2",
            "debt_counselling_inflow",
            "debt_counselling_inflow_sgb2"
        ]
    );
    assert_eq!(
        debt["indicator_details"][1]["part_of"],
        "debt_counselling_stock"
    );
}

async fn obligations_are_overdue_after_their_deadline(app: TestApp) {
    let statuses = obligation_statuses(&app).await;
    let overdue: Vec<&str> = statuses
        .iter()
        .filter(|(_, s)| s == "overdue")
        .map(|(sec, _)| sec.as_str())
        .collect();
    assert_eq!(
        overdue,
        ["§ 2 (1)", "§ 2 (3)"],
        "only obligations with a deadline"
    );
    // The business date also bounds signatures: 2024-02-16 is "today" here.
    let p = problem(
        sign(
            &app,
            KASSEL,
            &app.traeger("06633"),
            &signature("Kassel", "2024-02-17"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/signed_on");
}

async fn hmsi_sees_at_a_glance_who_is_overdue(app: TestApp) {
    sign_kassel(&app).await;
    // Stadt Kassel's agreement in force too, from the template.
    let body = json!({"traeger": "06611", "year": 2023});
    json(
        app.post("/api/v1/agreements", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await;
    let sig = |place: &str| json!({"signatories": [{"name": "N. N.", "function": "Oberbürgermeister"}], "place": place, "signed_on": "2023-03-01"});
    json(
        app.post(
            "/api/v1/agreements/zv-2023-06611-1/signatures",
            Some(&app.hmsi()),
            &sig("Wiesbaden"),
        )
        .await,
        200,
    )
    .await;
    json(
        app.post(
            "/api/v1/agreements/zv-2023-06611-1/signatures",
            Some(&app.traeger("06611")),
            &sig("Kassel"),
        )
        .await,
        200,
    )
    .await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    json(
        post(&app, &format!("{SUB}/submit"), &app.traeger("06633")).await,
        200,
    )
    .await;

    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let overdue = json(
        app.get(
            "/api/v1/obligations?status=overdue&year=2023",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        ids(&overdue),
        [
            "zv-2023-06611-1.1",
            "zv-2023-06611-1.3",
            "zv-2023-06633-1.1"
        ]
    );
    let submitted = json(
        app.get("/api/v1/obligations?status=submitted", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(submitted["items"][0]["days_late"], 5);
    assert_eq!(
        submitted["items"][0]["receipts_pending"],
        json!(["jobcenter", "hmsi"])
    );
    let all = json(
        app.get("/api/v1/obligations?limit=1000", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 18);
    let mine = json(
        app.get(
            "/api/v1/obligations?limit=1000",
            Some(&app.traeger("06611")),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 9);
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["traeger"] == "06611")
    );
    let jc = json(
        app.get(
            "/api/v1/obligations?traeger=06611",
            Some(&app.jobcenter("06633")),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(jc["items"], json!([]));
    let debt_sections = json(
        app.get(
            "/api/v1/obligations?section=%C2%A7%202%20(3)&limit=1",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(debt_sections["items"].as_array().unwrap().len(), 1);
    assert!(debt_sections["next"].is_string());
    problem(
        app.get("/api/v1/obligations?status=late", Some(&app.hmsi()))
            .await,
        400,
    )
    .await;
    problem(app.get("/api/v1/obligations", None).await, 401).await;
}

/// The seeded Kassel agreement is signed by HMSI only: its obligations are already listed, marked
/// so; a mere draft binds no one and is not.
async fn obligations_signed_by_one_party_are_listed_with_the_agreements_status(app: TestApp) {
    draft(&app, "06611", 2023, None).await;
    let statuses = |v: &Value| -> Vec<(String, String)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["agreement_id"].as_str().unwrap().to_owned(),
                    o["agreement_status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let list = json(
        app.get("/api/v1/obligations?year=2023", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    let seen = statuses(&list);
    assert_eq!(seen.len(), 9, "{seen:?}");
    assert!(
        seen.iter()
            .all(|(a, s)| a == "zv-2023-06633-1" && s == "signed_by_one"),
        "{seen:?}"
    );
    sign_kassel(&app).await;
    let list = json(
        app.get(
            "/api/v1/obligations?year=2023",
            Some(&app.jobcenter("06633")),
        )
        .await,
        200,
    )
    .await;
    assert!(statuses(&list).iter().all(|(_, s)| s == "in_force"));
}

/// § 2 (4): HMSI's duty to Kassel is met by BA data that holds Kassel's row, not by any
/// forwarded transmission of the indicator.
async fn ba_data_counts_for_a_traeger_only_with_its_own_row(app: TestApp) {
    sign_kassel(&app).await;
    request_ba(&app, json!(["psychosocial_care"])).await;
    let only_stadt = "traeger;indicator;value\r\n06611;psychosocial_care;17\r\n";
    json(put_csv(&app, "", only_stadt).await, 200).await;
    json(forward(&app, &app.hmsi()).await, 200).await;
    assert_eq!(standing(&app, "zv-2023-06633-1.4").await, "open");
    let both =
        "traeger;indicator;value\r\n06611;psychosocial_care;17\r\n06633;psychosocial_care;23\r\n";
    json(
        put_csv(&app, "?reason=Nachlieferung%20Landkreis%20Kassel", both).await,
        200,
    )
    .await;
    assert_eq!(
        standing(&app, "zv-2023-06633-1.4").await,
        "open",
        "received, not yet forwarded"
    );
    json(forward(&app, &app.hmsi()).await, 200).await;
    assert_eq!(standing(&app, "zv-2023-06633-1.4").await, "forwarded");
}

/// Where one of Kassel's obligations stands, as HMSI sees it.
async fn standing(app: &TestApp, id: &str) -> String {
    let o = obligation(app, &app.hmsi(), id).await;
    o["status"].as_str().unwrap().to_owned()
}
