//! Who may see which submission, as a matrix over the seed's obligations, through HTTP on SQLite
//! and PostgreSQL: HMSI everything, the Träger its own, its Jobcenter only what was delivered
//! to it (§ 2 (1) and (3), never the § 3 (3) report or the § 5 (1) confirmation that go to
//! HMSI alone, never a draft), another Träger and its Jobcenter nothing. Single reads, lists,
//! revisions and the facts export agree.

mod common;

use std::collections::BTreeSet;

use common::seed::{KASSEL, post, sign_kassel};
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    each_role_sees_what_is_meant_for_it,
    a_jobcenter_sees_the_accepted_figures_not_the_correction_being_drafted,
    obligation_standings_show_no_submission_the_reader_may_not_see,
);

/// The obligations Kassel delivers, with a draft of each, and who receives them.
fn deliveries() -> Vec<(&'static str, Value, bool)> {
    vec![
        (
            "zv-2023-06633-1.1",
            json!({"values": [{"indicator": "childcare_u3", "value": 41},
                              {"indicator": "childcare_school", "value": 118}]}),
            true,
        ),
        (
            "zv-2023-06633-1.3",
            json!({"values": [{"indicator": "debt_counselling_stock", "value": 412},
                              {"indicator": "debt_counselling_stock_sgb2", "value": 187},
                              {"indicator": "debt_counselling_inflow", "value": 268},
                              {"indicator": "debt_counselling_inflow_sgb2", "value": 121}]}),
            true,
        ),
        (
            "zv-2023-06633-1.6",
            json!({"values": [{"indicator": "but_implementation_report", "value": "Bericht zu BuT 2023"}]}),
            false,
        ),
        (
            "zv-2023-06633-1.9",
            json!({"confirmation": "Teilnahme an der Fachtagung am 14.11.2023"}),
            false,
        ),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reader {
    Hmsi,
    Traeger,
    Jobcenter,
    OtherTraeger,
    OtherJobcenter,
}

const READERS: [Reader; 5] = [
    Reader::Hmsi,
    Reader::Traeger,
    Reader::Jobcenter,
    Reader::OtherTraeger,
    Reader::OtherJobcenter,
];

fn token(app: &TestApp, r: Reader) -> String {
    match r {
        Reader::Hmsi => app.hmsi(),
        Reader::Traeger => app.traeger("06633"),
        Reader::Jobcenter => app.jobcenter("06633"),
        Reader::OtherTraeger => app.traeger("06611"),
        Reader::OtherJobcenter => app.jobcenter("06611"),
    }
}

/// The rule: whether `reader` sees the submission of an obligation, submitted or still a draft.
fn sees(reader: Reader, to_jobcenter: bool, submitted: bool) -> bool {
    match reader {
        Reader::Hmsi | Reader::Traeger => true,
        Reader::Jobcenter => to_jobcenter && submitted,
        Reader::OtherTraeger | Reader::OtherJobcenter => false,
    }
}

fn sub(obligation: &str) -> String {
    format!("sub-{obligation}")
}

fn ids(items: &Value, field: &str) -> BTreeSet<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

/// Every reader against every delivery: the single read, the revisions, the list and the
/// export show the same set.
async fn check(app: &TestApp, submitted: bool) {
    for reader in READERS {
        let t = token(app, reader);
        let mut expected = BTreeSet::new();
        let mut exported = BTreeSet::new();
        for (obligation, body, to_jobcenter) in deliveries() {
            let url = format!("/api/v1/submissions/{}", sub(obligation));
            let visible = sees(reader, to_jobcenter, submitted);
            let what = format!("{reader:?} {obligation} submitted={submitted}");
            if visible {
                json(app.get(&url, Some(&t)).await, 200).await;
                json(app.get(&format!("{url}/revisions/1"), Some(&t)).await, 200).await;
                expected.insert(sub(obligation));
                if submitted && body.get("values").is_some() {
                    exported.insert(sub(obligation));
                }
            } else {
                let p = problem(app.get(&url, Some(&t)).await, 404).await;
                assert_eq!(p["status"], 404, "{what}");
                problem(app.get(&format!("{url}/revisions"), Some(&t)).await, 404).await;
            }
        }
        let list = json(
            app.get("/api/v1/submissions?year=2023", Some(&t)).await,
            200,
        )
        .await;
        assert_eq!(ids(&list["items"], "id"), expected, "{reader:?} list");
        for status in ["draft", "submitted"] {
            let list = json(
                app.get(&format!("/api/v1/submissions?status={status}"), Some(&t))
                    .await,
                200,
            )
            .await;
            let want = if (status == "submitted") == submitted {
                expected.clone()
            } else {
                BTreeSet::new()
            };
            assert_eq!(
                ids(&list["items"], "id"),
                want,
                "{reader:?} ?status={status}"
            );
        }
        let facts = json(
            app.get("/api/v1/exports/facts?format=json&source=traeger", Some(&t))
                .await,
            200,
        )
        .await;
        assert_eq!(
            ids(&facts["items"], "origin"),
            exported,
            "{reader:?} export"
        );
    }
}

async fn each_role_sees_what_is_meant_for_it(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    for (obligation, mut body, _) in deliveries() {
        body["obligation_id"] = json!(obligation);
        json(
            app.post("/api/v1/submissions", Some(&kassel), &body).await,
            201,
        )
        .await;
    }
    check(&app, false).await;
    for (obligation, _, _) in deliveries() {
        let url = format!("/api/v1/submissions/{}/submit", sub(obligation));
        json(post(&app, &url, &kassel).await, 200).await;
    }
    check(&app, true).await;
}

async fn a_jobcenter_sees_the_accepted_figures_not_the_correction_being_drafted(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    let (obligation, mut body, _) = deliveries().remove(1);
    body["obligation_id"] = json!(obligation);
    json(
        app.post("/api/v1/submissions", Some(&kassel), &body).await,
        201,
    )
    .await;
    let url = format!("/api/v1/submissions/{}", sub(obligation));
    json(post(&app, &format!("{url}/submit"), &kassel).await, 200).await;
    let accept = json!({"decision": "accept"});
    json(
        app.post(&format!("{url}/review"), Some(&app.hmsi()), &accept)
            .await,
        200,
    )
    .await;
    json(
        post(&app, &format!("{url}/corrections"), &kassel).await,
        201,
    )
    .await;

    let own = json(app.get(&url, Some(&kassel)).await, 200).await;
    assert_eq!(
        (own["status"].as_str(), own["current_revision"].as_i64()),
        (Some("draft"), Some(2))
    );
    let jobcenter = app.jobcenter("06633");
    let seen = json(app.get(&url, Some(&jobcenter)).await, 200).await;
    assert_eq!(
        (
            seen["status"].as_str(),
            seen["current_revision"].as_i64(),
            seen["revision"]["revision"].as_i64()
        ),
        (Some("accepted"), Some(1), Some(1))
    );
    let revisions = json(
        app.get(&format!("{url}/revisions"), Some(&jobcenter)).await,
        200,
    )
    .await;
    assert_eq!(revisions["items"].as_array().unwrap().len(), 1);
    problem(
        app.get(&format!("{url}/revisions/2"), Some(&jobcenter))
            .await,
        404,
    )
    .await;
    // Listed as what it sees: accepted, not a draft.
    let accepted = json(
        app.get("/api/v1/submissions?status=accepted", Some(&jobcenter))
            .await,
        200,
    )
    .await;
    assert_eq!(
        ids(&accepted["items"], "id"),
        BTreeSet::from([sub(obligation)])
    );
    let drafts = json(
        app.get("/api/v1/submissions?status=draft", Some(&jobcenter))
            .await,
        200,
    )
    .await;
    assert_eq!(drafts["items"], json!([]));
}

async fn obligation_standings_show_no_submission_the_reader_may_not_see(app: TestApp) {
    sign_kassel(&app).await;
    let kassel = app.traeger("06633");
    for (obligation, mut body, _) in deliveries() {
        body["obligation_id"] = json!(obligation);
        json(
            app.post("/api/v1/submissions", Some(&kassel), &body).await,
            201,
        )
        .await;
        let url = format!("/api/v1/submissions/{}/submit", sub(obligation));
        json(post(&app, &url, &kassel).await, 200).await;
    }
    for reader in [Reader::Hmsi, Reader::Traeger, Reader::Jobcenter] {
        let list = json(
            app.get(&format!("{KASSEL}/obligations"), Some(&token(&app, reader)))
                .await,
            200,
        )
        .await;
        for (obligation, _, to_jobcenter) in deliveries() {
            let o = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == obligation)
                .unwrap();
            // The standing is the agreement's, the same for every reader of it.
            assert_eq!(o["status"], "submitted", "{reader:?} {obligation}");
            let shown = o["submission_id"].as_str().is_some();
            assert_eq!(
                shown,
                sees(reader, to_jobcenter, true),
                "{reader:?} {obligation}"
            );
        }
    }
}
