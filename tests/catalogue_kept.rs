//! A replica keeps the catalogue's listings it answered while the catalogue's revision stands
//! (`app::kept`): every write, by this service or around it, shows in the next answer, and
//! keeping changes nothing about who may read or what a query answers. On both databases.

mod common;

use common::seed::KASSEL;
use common::{TestApp, json, problem};
use serde_json::{Value, json};

on_both_backends!(
    every_write_shows_in_the_next_listing,
    each_query_is_answered_as_asked,
    pollers_get_304_until_the_catalogue_changes,
    a_kept_listing_still_asks_for_a_token_and_a_valid_query,
    obligations_show_the_catalogue_as_it_is_now,
);

const YEAR_2023: &str = "/api/v1/indicators?year=2023&limit=1000";

async fn listing(app: &TestApp, path: &str) -> Value {
    json(app.get(path, Some(&app.traeger("06633"))).await, 200).await
}

fn named<'a>(page: &'a Value, code: &str) -> Option<&'a Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
}

async fn every_write_shows_in_the_next_listing(app: TestApp) {
    let first = listing(&app, YEAR_2023).await;
    assert_eq!(
        listing(&app, YEAR_2023).await,
        first,
        "read twice, one answer"
    );
    assert!(named(&first, "kept_test").is_none());

    // Through the API.
    let created = app
        .post(
            "/api/v1/indicators",
            Some(&app.hmsi()),
            &json!({
                "code": "kept_test", "valid_from": 2023, "section": "§ 2 (3)",
                "name_de": "Testkennzahl", "unit": "count", "measure": "stock",
                "source": "traeger", "reference": {"kind": "stock", "date": "2023-12-31"}
            }),
        )
        .await;
    json(created, 201).await;
    let after_post = listing(&app, YEAR_2023).await;
    assert_eq!(
        named(&after_post, "kept_test").unwrap()["name_de"],
        "Testkennzahl"
    );

    // Around the service: another replica, a migration or an operator write the table itself.
    app.sql("UPDATE indicators SET name_de = 'Von Hand' WHERE code = 'childcare_u3'")
        .unwrap();
    let after_update = app
        .once_seen(
            || listing(&app, YEAR_2023),
            |l| named(l, "childcare_u3").unwrap()["name_de"] == "Von Hand",
        )
        .await;
    assert_eq!(
        named(&after_update, "childcare_u3").unwrap()["name_de"],
        "Von Hand"
    );

    app.sql("DELETE FROM indicators WHERE code = 'kept_test'")
        .unwrap();
    let after_delete = app
        .once_seen(
            || listing(&app, YEAR_2023),
            |l| named(l, "kept_test").is_none(),
        )
        .await;
    assert!(named(&after_delete, "kept_test").is_none());
    assert_eq!(
        after_delete["items"].as_array().unwrap().len(),
        first["items"].as_array().unwrap().len()
    );
}

async fn each_query_is_answered_as_asked(app: TestApp) {
    let all = listing(&app, YEAR_2023).await;
    let all = all["items"].as_array().unwrap();
    // Each query twice: the second answer is the kept one.
    for _ in 0..2 {
        let ba = listing(&app, "/api/v1/indicators?year=2023&source=ba&limit=1000").await;
        let ba = ba["items"].as_array().unwrap();
        assert!(!ba.is_empty());
        assert!(ba.iter().all(|i| i["source"] == "ba"), "{ba:?}");
        assert_eq!(ba.len(), all.iter().filter(|i| i["source"] == "ba").count());

        let first = listing(&app, "/api/v1/indicators?year=2023&limit=2").await;
        assert_eq!(first["items"].as_array().unwrap()[..], all[..2]);
        let cursor = first["next"].as_str().unwrap();
        let second = listing(
            &app,
            &format!("/api/v1/indicators?year=2023&limit=2&after={cursor}"),
        )
        .await;
        assert_eq!(second["items"].as_array().unwrap()[..], all[2..4]);

        let later = listing(&app, "/api/v1/indicators?year=2024&limit=1000").await;
        assert!(
            later["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["year"] == 2024)
        );
        let every = listing(&app, "/api/v1/indicators?limit=1000").await;
        assert!(every["items"].as_array().unwrap().len() >= all.len());
    }
}

async fn pollers_get_304_until_the_catalogue_changes(app: TestApp) {
    let token = app.traeger("06633");
    let change = "UPDATE indicators SET name_de = 'Neu' WHERE code = 'childcare_u3'";
    let changed = app.polled_until_changed(YEAR_2023, &token, change).await;
    assert_eq!(
        named(&json(changed, 200).await, "childcare_u3").unwrap()["name_de"],
        "Neu"
    );
}

async fn a_kept_listing_still_asks_for_a_token_and_a_valid_query(app: TestApp) {
    listing(&app, YEAR_2023).await;
    problem(app.get(YEAR_2023, None).await, 401).await;
    problem(app.get(YEAR_2023, Some("not-a-token")).await, 401).await;
    let write_only = app.sign(app.claims("traeger", Some("06633"), "write"));
    problem(app.get(YEAR_2023, Some(&write_only)).await, 403).await;
    let token = app.traeger("06633");
    for bad in [
        "/api/v1/indicators?year=twenty",
        "/api/v1/indicators?year=2023&limit=0",
        "/api/v1/indicators?year=2023&after=nonsense",
        "/api/v1/indicators?year=2023&colour=red",
    ] {
        problem(app.get(bad, Some(&token)).await, 400).await;
    }
}

/// The names the obligations give `code` (kept per year, `indicators::kept_catalogue`).
fn names_of<'a>(obligations: &'a Value, code: &str) -> Vec<&'a str> {
    obligations["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["indicator_details"].as_array().unwrap())
        .filter(|i| i["code"] == code)
        .map(|i| i["name_de"].as_str().unwrap())
        .collect()
}

async fn obligations_show_the_catalogue_as_it_is_now(app: TestApp) {
    let of_kassel = format!("{KASSEL}/obligations");
    let overview = "/api/v1/obligations?year=2023";
    let code = "debt_counselling_stock";
    let indicator = json(
        app.get(
            &format!("/api/v1/indicators/{code}?year=2023"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let seeded = indicator["name_de"].as_str().unwrap();
    for _ in 0..2 {
        let kassel = json(app.get(&of_kassel, Some(&app.traeger("06633"))).await, 200).await;
        assert_eq!(names_of(&kassel, code), [seeded]);
        let all = json(app.get(overview, Some(&app.hmsi())).await, 200).await;
        assert!(!names_of(&all, code).is_empty());
    }
    app.sql(&format!(
        "UPDATE indicators SET name_de = 'Von Hand' WHERE code = '{code}'"
    ))
    .unwrap();
    let kassel = app
        .once_seen(
            || async { json(app.get(&of_kassel, Some(&app.traeger("06633"))).await, 200).await },
            |k| names_of(k, code) == ["Von Hand"],
        )
        .await;
    assert_eq!(names_of(&kassel, code), ["Von Hand"]);
    let all = json(app.get(overview, Some(&app.hmsi())).await, 200).await;
    assert!(names_of(&all, code).iter().all(|n| *n == "Von Hand"));
    // Another Träger's obligations stay out of a Träger's sight, kept catalogue or not.
    let other = format!("{}/obligations", KASSEL.replace("06633", "06611"));
    let refused = app.get(&other, Some(&app.traeger("06633"))).await;
    assert!(
        matches!(refused.status().as_u16(), 403 | 404),
        "{}",
        refused.status()
    );
}
