//! The indicator catalogue through HTTP, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    the_2023_catalogue_is_seeded_as_the_agreement_reads,
    catalogues_filter_by_section_and_source,
    a_version_reads_for_the_year_asked_for,
    every_role_reads_the_catalogue,
    hmsi_adds_a_version_from_a_year_on,
    a_version_can_discontinue_a_code,
    a_code_has_one_version_per_year,
    invalid_indicators_report_every_violation,
    davon_figures_need_a_total_of_their_unit_without_cycles,
    only_hmsi_with_write_scope_maintains_the_catalogue,
    unsigned_versions_change_in_place_with_if_match,
    versions_in_a_signed_agreement_never_change_in_place,
    idempotent_indicator_creation,
    the_kennzahlen_are_monthly_quotients,
);

fn indicator(code: &str, valid_from: i32) -> Value {
    json!({
        "code": code, "valid_from": valid_from, "section": "§ 2 (3)",
        "name_de": format!("Testkennzahl {code}"),
        "unit": "count", "measure": "stock", "source": "traeger",
        "reference": {"kind": "stock", "date": format!("{valid_from}-12-31")},
        "breakdown_by_reporting_body": true
    })
}

fn definition(name: &str, year: i32) -> Value {
    json!({
        "section": "§ 2 (3)", "name_de": name, "unit": "count", "measure": "stock", "source": "traeger",
        "reference": {"kind": "stock", "date": format!("{year}-12-31")}
    })
}

async fn catalogue(app: &TestApp, query: &str) -> Vec<Value> {
    let page = json(
        app.get(
            &format!("/api/v1/indicators?limit=1000&{query}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

fn codes(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["code"].as_str().unwrap()).collect()
}

async fn the_2023_catalogue_is_seeded_as_the_agreement_reads(app: TestApp) {
    let items = catalogue(&app, "year=2023").await;
    // The 20 figures of the agreement, and the 15 Kennzahlen of § 48a SGB II.
    assert_eq!(items.len(), 35);
    let kennzahlen = items
        .iter()
        .filter(|i| i["section"] == "§ 48a SGB II")
        .count();
    assert_eq!(kennzahlen, 15);
    let sgb2 = items
        .iter()
        .find(|i| i["code"] == "debt_counselling_stock_sgb2")
        .unwrap();
    assert_eq!(sgb2["part_of"], "debt_counselling_stock");
    assert_eq!(sgb2["section"], "§ 2 (3)");
    assert_eq!(
        sgb2["reference"],
        json!({"kind": "stock", "date": "2023-12-31"})
    );
    assert_eq!(sgb2["breakdown_by_reporting_body"], true);
    let inflow = items
        .iter()
        .find(|i| i["code"] == "debt_counselling_inflow")
        .unwrap();
    assert_eq!(
        inflow["reference"],
        json!({"kind": "flow", "from": "2023-01-01", "to": "2023-12-31"})
    );
    let eur: Vec<_> = items.iter().filter(|i| i["unit"] == "eur").collect();
    assert_eq!(eur.len(), 3, "§ 4 Erstausstattung");
    let report = items
        .iter()
        .find(|i| i["code"] == "but_implementation_report")
        .unwrap();
    assert_eq!(
        (report["unit"].as_str(), report["measure"].as_str()),
        (Some("text"), Some("report"))
    );
    let before = catalogue(&app, "year=2022").await;
    assert!(
        before.iter().all(|i| i["section"] == "§ 48a SGB II") && before.len() == 15,
        "before 2023 only the Kennzahlen, valid since the KennzahlenV of 2019"
    );
    assert!(
        catalogue(&app, "year=2018").await.is_empty(),
        "nothing before 2019"
    );
}

async fn catalogues_filter_by_section_and_source(app: TestApp) {
    let debt = catalogue(&app, "year=2023&section=%C2%A7%202%20(3)").await;
    assert_eq!(
        codes(&debt),
        [
            "debt_counselling_inflow",
            "debt_counselling_inflow_sgb2",
            "debt_counselling_stock",
            "debt_counselling_stock_sgb2"
        ]
    );
    assert_eq!(catalogue(&app, "year=2023&source=ba").await.len(), 13 + 15);
    assert_eq!(catalogue(&app, "year=2023&source=traeger").await.len(), 7);
    let mut seen = Vec::new();
    let mut path = "/api/v1/indicators?year=2023&limit=6".to_owned();
    loop {
        let page = json(app.get(&path, Some(&app.hmsi())).await, 200).await;
        seen.extend(
            codes(page["items"].as_array().unwrap())
                .into_iter()
                .map(str::to_owned),
        );
        match page["next"].as_str() {
            Some(n) => path = format!("/api/v1/indicators?year=2023&limit=6&after={n}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 35);
    for bad in [
        "year=1999",
        "year=abc",
        "source=bund",
        "limit=0",
        "colour=red",
    ] {
        problem(
            app.get(&format!("/api/v1/indicators?{bad}"), Some(&app.hmsi()))
                .await,
            400,
        )
        .await;
    }
}

async fn a_version_reads_for_the_year_asked_for(app: TestApp) {
    let token = app.hmsi();
    let res = app
        .get(
            "/api/v1/indicators/debt_counselling_stock?year=2025",
            Some(&token),
        )
        .await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    let body = json(res, 200).await;
    assert_eq!(body["valid_from"], 2023);
    assert_eq!(body["year"], 2025);
    assert_eq!(body["reference"]["date"], "2025-12-31");
    let newest = json(
        app.get("/api/v1/indicators/debt_counselling_stock", Some(&token))
            .await,
        200,
    )
    .await;
    assert_eq!(newest["reference"]["date"], "2023-12-31");
    problem(
        app.get(
            "/api/v1/indicators/debt_counselling_stock?year=2022",
            Some(&token),
        )
        .await,
        404,
    )
    .await;
    problem(
        app.get("/api/v1/indicators/no_such_code", Some(&token))
            .await,
        404,
    )
    .await;
    problem(
        app.get("/api/v1/indicators/Not-A-Code", Some(&token)).await,
        400,
    )
    .await;
}

async fn every_role_reads_the_catalogue(app: TestApp) {
    for token in [
        app.traeger("06633"),
        app.jobcenter("06611"),
        app.hmsi_read_only(),
    ] {
        assert_eq!(
            json(
                app.get("/api/v1/indicators?year=2023", Some(&token)).await,
                200
            )
            .await["items"]
                .as_array()
                .unwrap()
                .len(),
            35
        );
        json(
            app.get("/api/v1/indicators/childcare_u3", Some(&token))
                .await,
            200,
        )
        .await;
    }
    let write_only = app.sign(app.claims("traeger", Some("06633"), "write"));
    problem(app.get("/api/v1/indicators", Some(&write_only)).await, 403).await;
    problem(
        app.get("/api/v1/indicators/childcare_u3", Some(&write_only))
            .await,
        403,
    )
    .await;
}

async fn hmsi_adds_a_version_from_a_year_on(app: TestApp) {
    let mut body = indicator("debt_counselling_stock", 2025);
    body["name_de"] = json!("Personen in Schuldnerberatung (neu gefasst)");
    let res = app
        .post("/api/v1/indicators", Some(&app.hmsi()), &body)
        .await;
    assert_eq!(
        res.headers()["location"],
        "/api/v1/indicators/debt_counselling_stock?year=2025"
    );
    let created = json(res, 201).await;
    assert_eq!(created["valid_from"], 2025);

    let c2024 = catalogue(&app, "year=2024").await;
    let old = c2024
        .iter()
        .find(|i| i["code"] == "debt_counselling_stock")
        .unwrap();
    assert_eq!(
        old["name_de"],
        "Personen in Schuldnerberatung, Bestand zum Stichtag 31.12."
    );
    let c2026 = catalogue(&app, "year=2026").await;
    let new = c2026
        .iter()
        .find(|i| i["code"] == "debt_counselling_stock")
        .unwrap();
    assert_eq!(
        (new["valid_from"].as_i64(), new["name_de"].as_str()),
        (
            Some(2025),
            Some("Personen in Schuldnerberatung (neu gefasst)")
        )
    );
    assert_eq!(new["reference"]["date"], "2026-12-31");
    let all = catalogue(&app, "").await;
    assert_eq!(all.len(), 36, "every version without a year");

    let events = json(
        app.get(
            "/api/v1/audit-events?entity_type=indicator&entity_id=debt_counselling_stock@2025",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(events["items"][0]["action"], "create");
    assert_eq!(events["items"][0]["after"]["valid_from"], 2025);
}

async fn a_version_can_discontinue_a_code(app: TestApp) {
    let mut body = indicator("psychosocial_care", 2025);
    body["source"] = json!("ba");
    body["measure"] = json!("flow");
    body["reference"] = json!({"kind": "flow", "from": "2025-01-01", "to": "2025-12-31"});
    body["breakdown_by_reporting_body"] = json!(false);
    body["discontinued"] = json!(true);
    json(
        app.post("/api/v1/indicators", Some(&app.hmsi()), &body)
            .await,
        201,
    )
    .await;
    assert!(codes(&catalogue(&app, "year=2024").await).contains(&"psychosocial_care"));
    assert!(!codes(&catalogue(&app, "year=2025").await).contains(&"psychosocial_care"));
    problem(
        app.get(
            "/api/v1/indicators/psychosocial_care?year=2025",
            Some(&app.hmsi()),
        )
        .await,
        404,
    )
    .await;
}

async fn a_code_has_one_version_per_year(app: TestApp) {
    let p = problem(
        app.post(
            "/api/v1/indicators",
            Some(&app.hmsi()),
            &indicator("childcare_u3", 2023),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("2023"));
}

async fn invalid_indicators_report_every_violation(app: TestApp) {
    let body = json!({
        "code": "Bad Code", "valid_from": 2025, "section": "", "unit": "persons", "measure": "stock",
        "source": "bund", "reference": {"kind": "stock", "date": "2024-12-31"}
    });
    let p = problem(
        app.post("/api/v1/indicators", Some(&app.hmsi()), &body)
            .await,
        422,
    )
    .await;
    let found = pointers(&p);
    assert_eq!(
        found,
        [
            "/code",
            "/section",
            "/name_de",
            "/unit",
            "/source",
            "/reference/date"
        ]
    );

    let mut flow_as_stock = indicator("new_flow", 2025);
    flow_as_stock["measure"] = json!("flow");
    let p = problem(
        app.post("/api/v1/indicators", Some(&app.hmsi()), &flow_as_stock)
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/reference/kind");
    let p = problem(
        app.post("/api/v1/indicators", Some(&app.hmsi()), &json!({}))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 8);
}

async fn davon_figures_need_a_total_of_their_unit_without_cycles(app: TestApp) {
    let token = app.hmsi();
    let mut missing = indicator("orphan_part", 2025);
    missing["part_of"] = json!("no_such_total");
    let p = problem(
        app.post("/api/v1/indicators", Some(&token), &missing).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/part_of");

    let mut eur_part = indicator("eur_part", 2025);
    eur_part["unit"] = json!("eur");
    eur_part["part_of"] = json!("debt_counselling_stock");
    let p = problem(
        app.post("/api/v1/indicators", Some(&token), &eur_part)
            .await,
        422,
    )
    .await;
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("unit"));

    // A new version of the total that names its own part as total closes a cycle.
    let mut cycle = indicator("debt_counselling_stock", 2025);
    cycle["part_of"] = json!("debt_counselling_stock_sgb2");
    let p = problem(
        app.post("/api/v1/indicators", Some(&token), &cycle).await,
        422,
    )
    .await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cycle"),
        "{p}"
    );

    // A total whose parts count persons cannot turn into euros.
    let mut unit_change = indicator("debt_counselling_stock", 2025);
    unit_change["unit"] = json!("eur");
    let p = problem(
        app.post("/api/v1/indicators", Some(&token), &unit_change)
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/unit");

    let mut ok = indicator("debt_counselling_stock_women", 2025);
    ok["part_of"] = json!("debt_counselling_stock");
    json(app.post("/api/v1/indicators", Some(&token), &ok).await, 201).await;
}

async fn only_hmsi_with_write_scope_maintains_the_catalogue(app: TestApp) {
    for token in [
        app.traeger("06633"),
        app.jobcenter("06633"),
        app.hmsi_read_only(),
    ] {
        problem(
            app.post(
                "/api/v1/indicators",
                Some(&token),
                &indicator("new_code", 2025),
            )
            .await,
            403,
        )
        .await;
        problem(
            app.put(
                "/api/v1/indicators/childcare_u3?year=2023",
                Some(&token),
                Some("\"1\""),
                &definition("x", 2023),
            )
            .await,
            403,
        )
        .await;
    }
    assert_eq!(catalogue(&app, "").await.len(), 35, "nothing changed");
}

async fn unsigned_versions_change_in_place_with_if_match(app: TestApp) {
    let token = app.hmsi();
    json(
        app.post(
            "/api/v1/indicators",
            Some(&token),
            &indicator("new_stock", 2025),
        )
        .await,
        201,
    )
    .await;
    let path = "/api/v1/indicators/new_stock?year=2025";
    problem(
        app.put(path, Some(&token), None, &definition("Neu", 2025))
            .await,
        428,
    )
    .await;
    problem(
        app.put(path, Some(&token), Some("\"7\""), &definition("Neu", 2025))
            .await,
        412,
    )
    .await;
    problem(
        app.put(
            "/api/v1/indicators/new_stock",
            Some(&token),
            Some("\"1\""),
            &definition("Neu", 2025),
        )
        .await,
        400,
    )
    .await;
    problem(
        app.put(
            "/api/v1/indicators/new_stock?year=2026",
            Some(&token),
            Some("\"1\""),
            &definition("Neu", 2026),
        )
        .await,
        404,
    )
    .await;
    let p = problem(
        app.put(path, Some(&token), Some("\"1\""), &definition("Neu", 2024))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/reference/date");
    let res = app
        .put(
            path,
            Some(&token),
            Some("\"1\""),
            &definition("Neu gefasst", 2025),
        )
        .await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    assert_eq!(json(res, 200).await["name_de"], "Neu gefasst");
    let events = json(
        app.get(
            "/api/v1/audit-events?entity_id=new_stock@2025",
            Some(&token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        events["items"][1]["before"]["name_de"],
        "Testkennzahl new_stock"
    );
    assert_eq!(events["items"][1]["after"]["name_de"], "Neu gefasst");
}

async fn versions_in_a_signed_agreement_never_change_in_place(app: TestApp) {
    // The Kassel 2023 agreement, signed by HMSI, asks for childcare_u3.
    let mut body = definition("Kinder unter drei Jahren (neu)", 2023);
    body["section"] = json!("§ 2 (1)");
    let p = problem(
        app.put(
            "/api/v1/indicators/childcare_u3?year=2023",
            Some(&app.hmsi()),
            Some("\"1\""),
            &body,
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("new version"), "{p}");
    let read = json(
        app.get(
            "/api/v1/indicators/childcare_u3?year=2023",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(read["version"], 1);
}

async fn idempotent_indicator_creation(app: TestApp) {
    let send = |code: &str| {
        app.request(Method::POST, "/api/v1/indicators", Some(&app.hmsi()))
            .header("Idempotency-Key", "ind-1")
            .json(&indicator(code, 2025))
            .send()
    };
    let first: Value = send("new_stock").await.unwrap().json().await.unwrap();
    let again = send("new_stock").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    problem(send("other_stock").await.unwrap(), 422).await;
}

async fn the_kennzahlen_are_monthly_quotients(app: TestApp) {
    let k2 = json(
        app.get(
            "/api/v1/indicators/k2?year=2024",
            Some(&app.traeger("06432")),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            k2["name_de"].as_str(),
            k2["unit"].as_str(),
            k2["measure"].as_str(),
            k2["source"].as_str(),
        ),
        (
            Some("Integrationsquote"),
            Some("percent"),
            Some("quotient"),
            Some("ba")
        )
    );
    assert_eq!(k2["reference"], json!({"kind": "monthly"}));
    assert!(
        k2["description_de"]
            .as_str()
            .unwrap()
            .contains("§ 5 Abs. 1")
    );
    let k3 = json(
        app.get("/api/v1/indicators/k3", Some(&app.hmsi())).await,
        200,
    )
    .await;
    assert_eq!(k3["unit"], "ratio", "this month's LZB ÷ a year before");

    // A quotient is a percent or a ratio, for each month; nothing else is monthly.
    let post = |body: Value| {
        let app = &app;
        async move {
            app.post("/api/v1/indicators", Some(&app.hmsi()), &body)
                .await
        }
    };
    let mut wrong = indicator("placement_rate", 2024);
    wrong["measure"] = json!("quotient");
    let p = problem(post(wrong).await, 422).await;
    assert_eq!(pointers(&p), ["/reference/kind", "/unit"]);
    let mut monthly_count = indicator("placement_count", 2024);
    monthly_count["reference"] = json!({"kind": "monthly"});
    let p = problem(post(monthly_count).await, 422).await;
    assert_eq!(pointers(&p), ["/reference/kind"]);
    let mut quote = indicator("placement_rate", 2024);
    quote["unit"] = json!("percent");
    quote["measure"] = json!("quotient");
    quote["reference"] = json!({"kind": "monthly"});
    quote["breakdown_by_reporting_body"] = json!(false);
    let made = json(post(quote).await, 201).await;
    assert_eq!(made["reference"], json!({"kind": "monthly"}));
}
