//! Bulk work, through HTTP on SQLite and PostgreSQL: HMSI drafts the year's agreements for many
//! Träger in one call, and accepts several reviewed submissions in one call.

mod common;

use common::seed::{KASSEL, post, sign_kassel};
use common::{TestApp, json, pointers, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    hmsi_drafts_the_years_agreements_for_every_traeger,
    hmsi_drafts_for_the_traeger_named_and_refuses_bad_lists,
    hmsi_accepts_several_submissions_at_once,
    who_may_work_in_bulk,
);

const BULK: &str = "/api/v1/agreements/bulk";
const ACCEPT: &str = "/api/v1/submissions/acceptances";

fn outcomes(res: &Value) -> Vec<(String, String, String)> {
    res["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["traeger"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
                r["agreement_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn hmsi_drafts_the_years_agreements_for_every_traeger(app: TestApp) {
    let hmsi = app.hmsi();
    let res = app
        .request(reqwest::Method::POST, BULK, Some(&hmsi))
        .header("Idempotency-Key", "bulk-2023")
        .json(&json!({"year": 2023}))
        .send()
        .await
        .unwrap();
    let first = json(res, 200).await;
    let done = outcomes(&first);
    assert_eq!(done.len(), 26);
    // Kassel has its agreement (signed by HMSI) already; the other 25 get a draft each.
    let kassel = done.iter().find(|(t, _, _)| t == "06633").unwrap();
    assert_eq!(
        (kassel.1.as_str(), kassel.2.as_str()),
        ("skipped", "zv-2023-06633-1")
    );
    let created: Vec<_> = done.iter().filter(|(_, o, _)| o == "created").collect();
    assert_eq!(created.len(), 25);
    assert!(
        created
            .iter()
            .all(|(t, _, id)| id == &format!("zv-2023-{t}-1"))
    );
    let drafts = json(
        app.get(
            "/api/v1/agreements?year=2023&status=draft&limit=100",
            Some(&hmsi),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(drafts["items"].as_array().unwrap().len(), 25);
    // Repeated with the key: the first answer. Without it: nothing created twice.
    let res = app
        .request(reqwest::Method::POST, BULK, Some(&hmsi))
        .header("Idempotency-Key", "bulk-2023")
        .json(&json!({"year": 2023}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(json(res, 200).await, first);
    let again = json(
        app.post(BULK, Some(&hmsi), &json!({"year": 2023})).await,
        200,
    )
    .await;
    assert!(outcomes(&again).iter().all(|(_, o, _)| o == "skipped"));
}

async fn hmsi_drafts_for_the_traeger_named_and_refuses_bad_lists(app: TestApp) {
    let hmsi = app.hmsi();
    let body = json!({"year": 2023, "traeger": ["06611", "06633"]});
    let res = json(app.post(BULK, Some(&hmsi), &body).await, 200).await;
    assert_eq!(
        outcomes(&res),
        [
            ("06611".into(), "created".into(), "zv-2023-06611-1".into()),
            ("06633".into(), "skipped".into(), "zv-2023-06633-1".into())
        ]
    );
    let before = json(
        app.get("/api/v1/agreements?limit=100", Some(&hmsi)).await,
        200,
    )
    .await;
    let refused = [
        (json!({"traeger": ["06611"]}), vec!["/year"]),
        (json!({"year": 1999}), vec!["/year"]),
        (
            json!({"year": 2023, "traeger": ["06611", "6611", "06611"]}),
            vec!["/traeger/1", "/traeger/2"],
        ),
        (
            json!({"year": 2023, "traeger": ["06499"]}),
            vec!["/traeger/0"],
        ),
        // No template for 2025: roll over instead.
        (json!({"year": 2025}), vec!["/year"]),
    ];
    for (body, expected) in refused {
        let p = problem(app.post(BULK, Some(&hmsi), &body).await, 422).await;
        assert_eq!(pointers(&p), expected, "{body}");
    }
    problem(
        app.post(BULK, Some(&hmsi), &json!({"year": "2023"})).await,
        400,
    )
    .await;
    problem(
        app.post(BULK, Some(&hmsi), &json!({"year": 2023, "extra": 1}))
            .await,
        400,
    )
    .await;
    let after = json(
        app.get("/api/v1/agreements?limit=100", Some(&hmsi)).await,
        200,
    )
    .await;
    assert_eq!(before, after, "a refused call changes nothing");
}

/// Kassel delivers § 2 (1) and § 2 (3) and submits both; § 3 (3) stays a draft.
async fn three_deliveries(app: &TestApp) {
    sign_kassel(app).await;
    let kassel = app.traeger("06633");
    let drafts = [
        json!({"obligation_id": "zv-2023-06633-1.1", "values": [{"indicator": "childcare_u3", "value": 41},
                                                              {"indicator": "childcare_school", "value": 118}]}),
        json!({"obligation_id": "zv-2023-06633-1.3", "values": [{"indicator": "debt_counselling_stock", "value": 412},
                {"indicator": "debt_counselling_stock_sgb2", "value": 187}, {"indicator": "debt_counselling_inflow", "value": 268},
                {"indicator": "debt_counselling_inflow_sgb2", "value": 121}]}),
        json!({"obligation_id": "zv-2023-06633-1.6", "values": [{"indicator": "but_implementation_report", "value": "Bericht"}]}),
    ];
    for body in drafts {
        json(
            app.post("/api/v1/submissions", Some(&kassel), &body).await,
            201,
        )
        .await;
    }
    for n in [1, 3] {
        let url = format!("/api/v1/submissions/sub-zv-2023-06633-1.{n}/submit");
        json(post(app, &url, &kassel).await, 200).await;
    }
}

async fn hmsi_accepts_several_submissions_at_once(app: TestApp) {
    three_deliveries(&app).await;
    let hmsi = app.hmsi();
    let body = json!({"submissions": [
        {"id": "sub-zv-2023-06633-1.1", "version": 2},
        {"id": "sub-zv-2023-06633-1.3", "version": 1},
        {"id": "sub-zv-2023-06633-1.6"},
        {"id": "sub-zv-2023-06633-1.9"}
    ]});
    let res = json(app.post(ACCEPT, Some(&hmsi), &body).await, 200).await;
    let results = res["results"].as_array().unwrap();
    let summary: Vec<(&str, &str, Option<i64>)> = results
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
                r["problem"]["status"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("sub-zv-2023-06633-1.1", "accepted", None),
            // Submitted since version 1 was read: not accepted unseen.
            ("sub-zv-2023-06633-1.3", "refused", Some(412)),
            // A draft is not reviewed; no § 5 (1) confirmation exists.
            ("sub-zv-2023-06633-1.6", "refused", Some(409)),
            ("sub-zv-2023-06633-1.9", "refused", Some(404)),
        ]
    );
    assert_eq!(results[0]["submission"]["status"], "accepted");
    assert!(
        results[2]["problem"]["detail"]
            .as_str()
            .unwrap()
            .contains("only a submitted revision is reviewed")
    );
    let statuses = json(
        app.get(&format!("{KASSEL}/obligations"), Some(&hmsi)).await,
        200,
    )
    .await;
    let of = |id: &str| {
        statuses["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(
        (of("zv-2023-06633-1.1"), of("zv-2023-06633-1.3")),
        (json!("fulfilled"), json!("submitted"))
    );
    // Malformed lists change nothing.
    let refused = [
        (json!({}), vec!["/submissions"]),
        (json!({"submissions": []}), vec!["/submissions"]),
        (
            json!({"submissions": [{"id": "sub-zv-2023-06633-1.3"}, {"id": "sub-zv-2023-06633-1.3"}, {"id": "x"}, {"version": 0}]}),
            vec![
                "/submissions/1/id",
                "/submissions/2/id",
                "/submissions/3/id",
                "/submissions/3/version",
            ],
        ),
    ];
    for (body, expected) in refused {
        let p = problem(app.post(ACCEPT, Some(&hmsi), &body).await, 422).await;
        assert_eq!(pointers(&p), expected, "{body}");
    }
    let debt = json(
        app.get("/api/v1/submissions/sub-zv-2023-06633-1.3", Some(&hmsi))
            .await,
        200,
    )
    .await;
    assert_eq!(debt["status"], "submitted");
}

async fn who_may_work_in_bulk(app: TestApp) {
    three_deliveries(&app).await;
    let draft = json!({"year": 2023});
    let accept = json!({"submissions": [{"id": "sub-zv-2023-06633-1.3"}]});
    for (url, body) in [(BULK, &draft), (ACCEPT, &accept)] {
        problem(app.post(url, None, body).await, 401).await;
        problem(app.post(url, Some("x.y.z"), body).await, 401).await;
        for token in [
            app.traeger("06633"),
            app.jobcenter("06633"),
            app.hmsi_read_only(),
        ] {
            problem(app.post(url, Some(&token), body).await, 403).await;
        }
    }
    let drafts = json(
        app.get("/api/v1/agreements?status=draft", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(drafts["items"], json!([]));
    let debt = json(
        app.get(
            "/api/v1/submissions/sub-zv-2023-06633-1.3",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(debt["status"], "submitted");
}
