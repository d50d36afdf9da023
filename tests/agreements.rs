//! Agreements through HTTP, on SQLite and PostgreSQL: the Kassel 2023 agreement as seeded,
//! drafting, editing and signing.

mod common;

use common::seed::{KASSEL, draft, hmsi_signature, sign, signature};
use common::{TestApp, json, pointers, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    the_kassel_agreement_is_seeded_as_signed_by_hmsi,
    traeger_and_jobcenter_see_only_their_own_agreements,
    kassel_signs_and_the_agreement_is_in_force,
    signatures_are_refused_when_they_cannot_count,
    hmsi_drafts_from_the_template,
    one_agreement_per_traeger_and_year,
    drafts_are_edited_with_if_match_and_validated,
    targets_are_agreed_with_a_zkt_on_the_kennzahlen,
    only_hmsi_with_write_scope_drafts,
    idempotent_drafting,
    drafts_are_worded_for_their_traeger,
);

async fn refused_draft(app: &TestApp, body: Value) -> Value {
    problem(
        app.post("/api/v1/agreements", Some(&app.hmsi()), &body)
            .await,
        422,
    )
    .await
}

async fn the_kassel_agreement_is_seeded_as_signed_by_hmsi(app: TestApp) {
    let res = app.get(KASSEL, Some(&app.hmsi())).await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let a = json(res, 200).await;
    assert_eq!(
        (a["traeger"].as_str(), a["year"].as_i64()),
        (Some("06633"), Some(2023))
    );
    assert_eq!(a["status"], "signed_by_one");
    assert!(
        a["legal_basis"]
            .as_str()
            .unwrap()
            .contains("§ 8a Abs. 1 und 2 des Hessischen OFFENSIV-Gesetzes")
    );
    let sections: Vec<&str> = a["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["section"].as_str().unwrap())
        .collect();
    assert_eq!(sections, ["Präambel", "§ 1", "§ 2", "§ 3", "§ 4", "§ 5"]);
    // The agreement's own words, not only its titles: the Präambel's goals, § 1's commitment,
    // gender equality as a cross-cutting task, § 3 (1)–(2), § 5 (2).
    let text = |section: &str| {
        a["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["section"] == section)
            .unwrap()["text_de"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(text("Präambel").contains("die soziale Teilhabe zu verbessern"));
    assert!(text("Präambel").contains("Gleichstellung von Frauen und Männern"));
    assert!(text("§ 1").starts_with("Beide Vereinbarungspartner"));
    assert!(text("§ 3").contains("(2) Die Leistungsberechtigten"));
    assert!(text("§ 5").starts_with("(2) Nach § 5 Abs. 1 des Hessischen OFFENSIV-Gesetzes"));
    let obligations = a["obligations"].as_array().unwrap();
    assert_eq!(obligations.len(), 9);
    let debt = obligations
        .iter()
        .find(|o| o["section"] == "§ 2 (3)")
        .unwrap();
    assert_eq!(debt["title_de"], "Schuldnerberatung");
    assert_eq!(debt["delivered_by"], "traeger");
    assert_eq!(debt["recipients"], json!(["jobcenter", "hmsi"]));
    assert_eq!(debt["due"], "2024-02-15");
    assert_eq!(debt["indicators"].as_array().unwrap().len(), 4);
    let costs = obligations.iter().find(|o| o["section"] == "§ 4").unwrap();
    assert_eq!(costs["recipients"], json!([]));
    assert!(costs["due"].is_null());
    let survey = obligations
        .iter()
        .find(|o| o["section"] == "§ 5 (1)")
        .unwrap();
    assert_eq!(survey["indicators"], json!([]));
    // Worded for its Träger.
    assert!(
        survey["text_de"].as_str().unwrap().starts_with(
            "(1) Der Landkreis Kassel beteiligt sich an Umfragen und Tagungen des HMSI"
        )
    );
    assert!(
        debt["text_de"]
            .as_str()
            .unwrap()
            .contains("bis zum 15. Februar 2024")
    );
    let sig = &a["signatures"][0];
    assert_eq!(sig["party"], "hmsi");
    assert_eq!(
        sig["signatories"][0],
        json!({"name": "Barbara Tiemann", "function": "Abteilungsleiterin III „Arbeit“"})
    );
    assert_eq!(
        (sig["place"].as_str(), sig["signed_on"].as_str()),
        (Some("Wiesbaden"), Some("2023-01-24"))
    );
    assert_eq!(
        a["signatures"].as_array().unwrap().len(),
        1,
        "the Träger's signature is open"
    );
}

async fn traeger_and_jobcenter_see_only_their_own_agreements(app: TestApp) {
    draft(&app, "06611", 2023, None).await;
    for token in [app.traeger("06633"), app.jobcenter("06633")] {
        let page = json(app.get("/api/v1/agreements", Some(&token)).await, 200).await;
        let ids: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["zv-2023-06633-1"]);
        json(app.get(KASSEL, Some(&token)).await, 200).await;
        problem(
            app.get("/api/v1/agreements/zv-2023-06611-1", Some(&token))
                .await,
            404,
        )
        .await;
        problem(
            app.get(
                "/api/v1/agreements/zv-2023-06611-1/obligations",
                Some(&token),
            )
            .await,
            404,
        )
        .await;
        let filtered = json(
            app.get("/api/v1/agreements?traeger=06611", Some(&token))
                .await,
            200,
        )
        .await;
        assert_eq!(
            filtered["items"],
            json!([]),
            "a filter cannot widen what a token sees"
        );
    }
    let stadt = app.traeger("06611");
    let p = problem(app.get(KASSEL, Some(&stadt)).await, 404).await;
    let absent = problem(
        app.get("/api/v1/agreements/zv-2023-06699-1", Some(&stadt))
            .await,
        404,
    )
    .await;
    assert_eq!(p["detail"], absent["detail"]);
    problem(
        app.get(&format!("{KASSEL}/obligations"), Some(&stadt))
            .await,
        404,
    )
    .await;

    let all = json(
        app.get("/api/v1/agreements?year=2023", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let drafts = json(
        app.get("/api/v1/agreements?status=draft", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    assert_eq!(drafts["items"][0]["id"], "zv-2023-06611-1");
    let paged = json(
        app.get("/api/v1/agreements?limit=1", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    let next = paged["next"].as_str().unwrap();
    let rest = json(
        app.get(
            &format!("/api/v1/agreements?limit=1&after={next}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rest["items"][0]["id"], "zv-2023-06633-1");
    assert!(rest["next"].is_null());
    for bad in ["year=23", "traeger=6633", "status=signed", "limit=5000"] {
        problem(
            app.get(&format!("/api/v1/agreements?{bad}"), Some(&app.hmsi()))
                .await,
            400,
        )
        .await;
    }
}

async fn kassel_signs_and_the_agreement_is_in_force(app: TestApp) {
    let token = app.traeger("06633");
    let res = sign(&app, KASSEL, &token, &signature("Kassel", "2023-02-10")).await;
    assert_eq!(res.headers()["etag"], "\"3\"");
    let signed = json(res, 200).await;
    assert_eq!(signed["status"], "in_force");
    let ours = &signed["signatures"][1];
    assert_eq!(ours["party"], "traeger");
    assert_eq!(ours["place"], "Kassel");
    assert_eq!(ours["recorded_by"], "test-traeger");
    assert_eq!(
        ours["signatories"][1]["function"],
        "Erste Kreisbeigeordnete"
    );
    assert_eq!(
        json(app.get(KASSEL, Some(&app.jobcenter("06633"))).await, 200).await["status"],
        "in_force"
    );

    let events = json(
        app.get(
            "/api/v1/audit-events?entity_id=zv-2023-06633-1",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "sign");
    assert_eq!(last["actor_role"], "traeger");
    assert_eq!(last["actor_traeger"], "06633");
    assert_eq!(
        (
            last["before"]["status"].as_str(),
            last["after"]["status"].as_str()
        ),
        (Some("signed_by_one"), Some("in_force"))
    );
}

async fn signatures_are_refused_when_they_cannot_count(app: TestApp) {
    let hmsi = app.hmsi();
    let p = problem(sign(&app, KASSEL, &hmsi, &hmsi_signature()).await, 409).await;
    assert!(p["detail"].as_str().unwrap().contains("hmsi"));
    problem(
        sign(
            &app,
            KASSEL,
            &app.jobcenter("06633"),
            &signature("Kassel", "2023-02-10"),
        )
        .await,
        403,
    )
    .await;
    let read_only = app.sign(app.claims("traeger", Some("06633"), "read"));
    problem(
        sign(&app, KASSEL, &read_only, &signature("Kassel", "2023-02-10")).await,
        403,
    )
    .await;
    problem(
        sign(
            &app,
            KASSEL,
            &app.traeger("06611"),
            &signature("Kassel", "2023-02-10"),
        )
        .await,
        404,
    )
    .await;

    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    let p = problem(
        sign(
            &app,
            KASSEL,
            &app.traeger("06633"),
            &signature("Kassel", &tomorrow),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/signed_on");
    let p = problem(
        sign(
            &app,
            KASSEL,
            &app.traeger("06633"),
            &json!({"signatories": [{"name": ""}], "signed_on": "10.02.2023"}),
        )
        .await,
        422,
    )
    .await;
    let found = pointers(&p);
    assert_eq!(
        found,
        [
            "/signatories/0/name",
            "/signatories/0/function",
            "/place",
            "/signed_on"
        ]
    );
    assert_eq!(
        json(app.get(KASSEL, Some(&hmsi)).await, 200).await["status"],
        "signed_by_one",
        "nothing changed"
    );

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
    let p = problem(
        sign(
            &app,
            KASSEL,
            &app.traeger("06633"),
            &signature("Kassel", "2023-02-11"),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("traeger"));
}

async fn hmsi_drafts_from_the_template(app: TestApp) {
    let res = app
        .post(
            "/api/v1/agreements",
            Some(&app.hmsi()),
            &json!({"traeger": "06611", "year": 2023}),
        )
        .await;
    assert_eq!(
        res.headers()["location"],
        "/api/v1/agreements/zv-2023-06611-1"
    );
    let body = json(res, 201).await;
    let a = &body["agreement"];
    assert_eq!(
        (a["id"].as_str(), a["status"].as_str()),
        (Some("zv-2023-06611-1"), Some("draft"))
    );
    assert_eq!(a["obligations"].as_array().unwrap().len(), 9);
    assert_eq!(a["obligations"][0]["due"], "2024-02-15");
    assert_eq!(a["obligations"][0]["id"], "zv-2023-06611-1.1");
    assert_eq!(body["unmapped"], json!([]));

    let p = refused_draft(&app, json!({"traeger": "06499", "year": 2023})).await;
    assert_eq!(p["errors"][0]["pointer"], "/traeger");
    let p = refused_draft(&app, json!({"traeger": "06611", "year": 2030})).await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no template for 2030")
    );
    let p = refused_draft(
        &app,
        json!({"traeger": "06412", "year": 2024, "copy_from": "zv-1999-x"}),
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "/copy_from");
    let p = refused_draft(&app, json!({"traeger": "6633", "year": 1990})).await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
}

async fn one_agreement_per_traeger_and_year(app: TestApp) {
    let p = problem(
        app.post(
            "/api/v1/agreements",
            Some(&app.hmsi()),
            &json!({"traeger": "06633", "year": 2023}),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("zv-2023-06633-1"));
    draft(&app, "06611", 2023, None).await;
    problem(
        app.post(
            "/api/v1/agreements",
            Some(&app.hmsi()),
            &json!({"traeger": "06611", "year": 2023, "copy_from": "zv-2023-06611-1"}),
        )
        .await,
        409,
    )
    .await;
}

async fn drafts_are_edited_with_if_match_and_validated(app: TestApp) {
    let created = draft(&app, "06611", 2023, None).await;
    let path = "/api/v1/agreements/zv-2023-06611-1";
    let mut body = json!({
        "kind": "reporting",
        "legal_basis": created["agreement"]["legal_basis"],
        "benefits": created["agreement"]["benefits"],
        "sections": created["agreement"]["sections"],
        "obligations": [{
            "section": "§ 2 (3)", "title_de": "Schuldnerberatung", "delivered_by": "traeger",
            "recipients": ["jobcenter", "hmsi"],
            "indicators": ["debt_counselling_stock", "debt_counselling_stock_sgb2"],
            "due": "2024-03-01", "note": "Stadt Kassel: zwei Beratungsstellen"
        }],
        "targets": []
    });
    let token = app.hmsi();
    problem(app.put(path, Some(&token), None, &body).await, 428).await;
    problem(app.put(path, Some(&token), Some("\"5\""), &body).await, 412).await;
    let res = app.put(path, Some(&token), Some("\"1\""), &body).await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let edited = json(res, 200).await;
    assert_eq!(edited["obligations"].as_array().unwrap().len(), 1);
    assert_eq!(edited["obligations"][0]["due"], "2024-03-01");
    assert_eq!(edited["obligations"][0]["id"], "zv-2023-06611-1.1");

    body["obligations"][0]["indicators"] = json!([
        "debt_counselling_stock",
        "debt_counselling_stock",
        "no_such_figure"
    ]);
    body["obligations"][0]["recipients"] = json!(["jobcenter", "landrat"]);
    body["obligations"][0]["delivered_by"] = json!("jobcenter");
    body["obligations"][0]["due"] = json!("15.02.2024");
    body["targets"] = json!([{"indicator": "debt_counselling_stock", "value": "10"}]);
    let p = problem(app.put(path, Some(&token), Some("\"2\""), &body).await, 422).await;
    let found = pointers(&p);
    assert_eq!(
        found,
        [
            "/obligations/0/delivered_by",
            "/obligations/0/recipients/1",
            "/obligations/0/indicators/1",
            "/obligations/0/indicators/2",
            "/obligations/0/due",
            "/targets"
        ]
    );

    // Stadt Kassel's Jobcenter is a gemeinsame Einrichtung: no targets agreement with it.
    body["obligations"] = json!([]);
    body["kind"] = json!("targets");
    body["targets"] = json!([{"indicator": "but_beneficiaries", "value": "1250"}]);
    let p = problem(app.put(path, Some(&token), Some("\"2\""), &body).await, 422).await;
    assert_eq!(pointers(&p), ["/kind"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("§ 48b")
    );
    problem(
        app.put(
            "/api/v1/agreements/zv-2023-06499-1",
            Some(&token),
            Some("\"1\""),
            &body,
        )
        .await,
        404,
    )
    .await;
}

async fn targets_are_agreed_with_a_zkt_on_the_kennzahlen(app: TestApp) {
    // Landkreis Darmstadt-Dieburg runs its Jobcenter itself (zkT).
    let created = draft(&app, "06432", 2023, None).await;
    let path = "/api/v1/agreements/zv-2023-06432-1";
    let token = app.hmsi();
    let mut body = json!({
        "kind": "targets",
        "legal_basis": created["agreement"]["legal_basis"],
        "benefits": created["agreement"]["benefits"],
        "sections": created["agreement"]["sections"],
        "obligations": [],
        "targets": [
            {"indicator": "k2", "comparison": "change_vs_previous_year", "operator": "at_least",
             "value": "-7.0", "judged_on": "2023-12"},
            {"indicator": "k3", "comparison": "change_vs_previous_year", "operator": "at_most",
             "value": "-0.25"},
            {"indicator": "but_beneficiaries", "value": "1250"},
            {"indicator": "initial_equipment_home", "value": "80000.50", "operator": "at_most"}
        ]
    });
    let agreed = json(app.put(path, Some(&token), Some("\"1\""), &body).await, 200).await;
    assert_eq!(
        agreed["targets"],
        json!([
            {"indicator": "k2", "comparison": "change_vs_previous_year", "operator": "at_least",
             "value": "-7", "judged_on": "2023-12"},
            {"indicator": "k3", "comparison": "change_vs_previous_year", "operator": "at_most",
             "value": "-0.25", "judged_on": null},
            {"indicator": "but_beneficiaries", "comparison": "level", "operator": "at_least",
             "value": "1250", "judged_on": null},
            {"indicator": "initial_equipment_home", "comparison": "level", "operator": "at_most",
             "value": "80000.50", "judged_on": null}
        ])
    );

    // Every violation at once: a count is whole, a month lies in the year, names are known.
    body["targets"] = json!([
        {"indicator": "but_beneficiaries", "value": "12.5"},
        {"indicator": "k2", "comparison": "sideways", "operator": "about", "value": "x",
         "judged_on": "2024-12"},
        {"indicator": "k1", "value": "1"},
        {"indicator": "k1", "value": "2"},
        {"indicator": "but_implementation_report", "value": "1", "judged_on": "2023-13"}
    ]);
    let p = problem(app.put(path, Some(&token), Some("\"2\""), &body).await, 422).await;
    assert_eq!(
        pointers(&p),
        [
            "/targets/0/value",
            "/targets/1/comparison",
            "/targets/1/operator",
            "/targets/1/judged_on",
            "/targets/3/indicator",
            "/targets/4/judged_on",
            "/targets/4/value"
        ]
    );

    // Signed by both, it is in force with its targets.
    let landrat = json!({"signatories": [{"name": "Klaus Peter Schellhaas", "function": "Landrat"}],
                         "place": "Darmstadt", "signed_on": "2023-03-02"});
    json(sign(&app, path, &app.traeger("06432"), &landrat).await, 200).await;
    let in_force = json(sign(&app, path, &token, &hmsi_signature()).await, 200).await;
    assert_eq!(in_force["status"], "in_force");
    assert_eq!(in_force["targets"], agreed["targets"]);
}

async fn only_hmsi_with_write_scope_drafts(app: TestApp) {
    let create = json!({"traeger": "06633", "year": 2024, "copy_from": "zv-2023-06633-1"});
    let rollover = json!({"from_year": 2023, "to_year": 2024});
    for token in [
        app.traeger("06633"),
        app.jobcenter("06633"),
        app.hmsi_read_only(),
    ] {
        problem(
            app.post("/api/v1/agreements", Some(&token), &create).await,
            403,
        )
        .await;
        problem(
            app.post("/api/v1/agreements/rollover", Some(&token), &rollover)
                .await,
            403,
        )
        .await;
        problem(
            app.put(KASSEL, Some(&token), Some("\"2\""), &json!({}))
                .await,
            403,
        )
        .await;
    }
    let all = json(app.get("/api/v1/agreements", Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        1,
        "nothing was created"
    );
}

async fn idempotent_drafting(app: TestApp) {
    let send = |year: i32| {
        app.request(Method::POST, "/api/v1/agreements", Some(&app.hmsi()))
            .header("Idempotency-Key", "draft-06611")
            .json(&json!({"traeger": "06611", "year": year}))
            .send()
    };
    let first: Value = send(2023).await.unwrap().json().await.unwrap();
    let again = send(2023).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    problem(send(2024).await.unwrap(), 422).await;
    let events = json(
        app.get(
            "/api/v1/audit-events?entity_id=zv-2023-06611-1",
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 1);
}

/// The template's wording names the Träger with its article, and a draft's wording is edited
/// like the rest of its content.
async fn drafts_are_worded_for_their_traeger(app: TestApp) {
    let stadt = draft(&app, "06611", 2023, None).await;
    let wording = |a: &Value, section: &str| {
        a["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["section"] == section)
            .unwrap()["text_de"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        wording(&stadt["agreement"], "§ 5 (1)").starts_with("(1) Die Stadt Kassel beteiligt sich")
    );
    assert!(
        wording(&stadt["agreement"], "§ 2 (1)")
            .contains("Die Stadt Kassel (im Folgenden: „der kommunale Träger“)")
    );
    let url = "/api/v1/agreements/zv-2023-06611-1";
    let mut content = json(app.get(url, Some(&app.hmsi())).await, 200).await;
    for field in [
        "id",
        "traeger",
        "year",
        "status",
        "supersedes",
        "signatures",
        "version",
        "created_at",
        "updated_at",
    ] {
        content.as_object_mut().unwrap().remove(field);
    }
    for o in content["obligations"].as_array_mut().unwrap() {
        o.as_object_mut().unwrap().remove("id");
    }
    content["sections"][1]["text_de"] = json!("Beide Vereinbarungspartner wirken zusammen.");
    let edited = json(
        app.put(url, Some(&app.hmsi()), Some("\"1\""), &content)
            .await,
        200,
    )
    .await;
    assert_eq!(
        edited["sections"][1]["text_de"],
        "Beide Vereinbarungspartner wirken zusammen."
    );
    content["sections"][1]["text_de"] = json!("x".repeat(20_001));
    content["obligations"][0]["text_de"] = json!("\u{0}");
    let p = problem(
        app.put(url, Some(&app.hmsi()), Some("\"2\""), &content)
            .await,
        422,
    )
    .await;
    assert_eq!(
        pointers(&p),
        ["/sections/1/text_de", "/obligations/0/text_de"]
    );
}
