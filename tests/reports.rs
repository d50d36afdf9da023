//! The reports HMSI reads, through HTTP on SQLite and PostgreSQL: how complete a year's
//! deliveries are, and one indicator across the years.

mod common;

use calamine::Data;
use common::seed::{
    SUB, debt_values, draft, draft_debt, forward, post, psychosocial, put_csv, registry_csv,
    request_ba, review, sign, sign_kassel, submit_debt,
};
use common::workbooks::{XLSX, column, read_workbook, text};
use common::{TestApp, json, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    mod on_2024_02_20 with |s| s.today = Some("2024-02-20".parse().unwrap());
    completeness_names_who_has_not_delivered,
    a_series_shows_what_holds,
    reports_refuse_what_they_cannot_answer,
);

const DEBT_COMPLETENESS: &str = "/api/v1/reports/completeness?year=2023&section=%C2%A7%202%20(3)";

async fn debt_report(app: &TestApp) -> Value {
    let report = json(app.get(DEBT_COMPLETENESS, Some(&app.hmsi())).await, 200).await;
    assert_eq!(report["year"], 2023);
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    report["items"][0].clone()
}

fn counts(item: &Value) -> [i64; 6] {
    [
        "delivered",
        "late",
        "overdue",
        "returned",
        "open",
        "without_agreement",
    ]
    .map(|k| item[k].as_i64().unwrap())
}

async fn completeness_names_who_has_not_delivered(app: TestApp) {
    // Kassel delivers § 2 (3) five days after 15 February 2024.
    sign_kassel(&app).await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    submit_debt(&app).await;
    let item = debt_report(&app).await;
    assert_eq!(
        (item["section"].as_str(), item["title_de"].as_str()),
        (Some("§ 2 (3)"), Some("Schuldnerberatung"))
    );
    assert_eq!(item["traeger_total"], 26);
    assert_eq!(counts(&item), [1, 1, 0, 0, 0, 25]);
    assert!(
        item["missing"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"].is_null())
    );
    let summary = item["summary_de"].as_str().unwrap();
    assert!(
        summary.starts_with(
            "§ 2 (3) Schuldnerberatung: 1 von 26 geliefert (1 verspätet), 25 ohne Vereinbarung: "
        ),
        "{summary}"
    );

    // Darmstadt-Dieburg's agreement binds it too, and it has delivered nothing: overdue, named first.
    draft(&app, "06432", 2023, None).await;
    let path = "/api/v1/agreements/zv-2023-06432-1";
    let landrat = json!({"signatories": [{"name": "Klaus Peter Schellhaas", "function": "Landrat"}],
                         "place": "Darmstadt", "signed_on": "2023-03-02"});
    json(sign(&app, path, &app.traeger("06432"), &landrat).await, 200).await;
    let ministry = json!({"signatories": [{"name": "Referatsleitung", "function": "Abteilung III"}],
                          "place": "Wiesbaden", "signed_on": "2023-03-06"});
    json(sign(&app, path, &app.hmsi(), &ministry).await, 200).await;
    // HMSI returns Kassel's figures.
    let back = json!({"decision": "return", "reason": "Zugänge der Diakonie fehlen."});
    json(review(&app, back).await, 200).await;
    let item = debt_report(&app).await;
    assert_eq!(counts(&item), [0, 0, 1, 1, 0, 24]);
    let first: Vec<(&str, &str)> = item["missing"].as_array().unwrap()[..2]
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        first,
        [
            ("Landkreis Darmstadt-Dieburg", "overdue"),
            ("Landkreis Kassel", "returned")
        ]
    );
    assert!(
        item["summary_de"].as_str().unwrap().contains(
            "1 überfällig: Landkreis Darmstadt-Dieburg, 1 zurückgegeben: Landkreis Kassel"
        )
    );

    // Every section of the year, in order.
    let all = json(
        app.get("/api/v1/reports/completeness?year=2023", Some(&app.hmsi()))
            .await,
        200,
    )
    .await;
    let sections: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["section"].as_str().unwrap())
        .collect();
    let mut sorted = sections.clone();
    sorted.sort();
    assert_eq!(sections, sorted);
    assert!(
        sections.contains(&"§ 2 (3)") && sections.len() > 3,
        "{sections:?}"
    );

    // The same as a workbook for the clerk, a row per section in the same order, titled in
    // German on request; and as CSV for German spreadsheets.
    let res = app
        .request(
            Method::GET,
            "/api/v1/reports/completeness?year=2023&format=xlsx",
            Some(&app.hmsi()),
        )
        .header("Accept-Language", "de-DE")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"completeness-2023.xlsx\""
    );
    let book = read_workbook(&res.bytes().await.unwrap());
    let (name, rows) = &book[0];
    assert_eq!(name, "Vollständigkeit");
    assert_eq!(rows.len() - 1, sections.len());
    let debt = rows
        .iter()
        .find(|r| r[column(&rows[0], "Abschnitt")] == Data::String("§ 2 (3)".into()))
        .unwrap();
    assert_eq!(debt[column(&rows[0], "Jahr")], Data::Float(2023.0));
    assert_eq!(debt[column(&rows[0], "überfällig")], Data::Float(1.0));
    assert_eq!(
        debt[column(&rows[0], "ohne Vereinbarung")],
        Data::Float(24.0)
    );
    assert!(matches!(
        debt[column(&rows[0], "fällig am")],
        Data::DateTime(_)
    ));
    let missing = text(&debt[column(&rows[0], "fehlt")]);
    assert!(
        missing.starts_with(
            "06432 Landkreis Darmstadt-Dieburg: overdue; 06633 Landkreis Kassel: returned"
        ),
        "{missing}"
    );
    let csv = app
        .request(Method::GET, DEBT_COMPLETENESS, Some(&app.hmsi()))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("year;section;title_de;due;traeger_total;delivered;late;overdue"));
    assert!(
        lines[1].starts_with("2023;§ 2 (3);Schuldnerberatung;2024-02-15;26;0;0;1;1;0;24;"),
        "{csv}"
    );
}

async fn a_series_shows_what_holds(app: TestApp) {
    let path = "/api/v1/reports/series?indicator=debt_counselling_stock&from=2023&to=2024";
    sign_kassel(&app).await;
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    submit_debt(&app).await;
    let series = json(app.get(path, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        series["items"],
        json!([]),
        "under review: not yet a value that holds"
    );
    json(review(&app, json!({"decision": "accept"})).await, 200).await;
    let series = json(app.get(path, Some(&app.hmsi())).await, 200).await;
    assert_eq!(
        series,
        json!({"indicator": "debt_counselling_stock", "from": 2023, "to": 2024, "items": [
            {"year": 2023, "month": null, "traeger": "06633", "traeger_name": "Landkreis Kassel", "value": 412,
             "status": null, "source": "traeger", "origin": SUB.trim_start_matches("/api/v1/submissions/")}
        ]})
    );
    // A correction under way does not change what holds.
    json(
        post(&app, &format!("{SUB}/corrections"), &app.traeger("06633")).await,
        201,
    )
    .await;
    assert_eq!(
        json(app.get(path, Some(&app.hmsi())).await, 200).await,
        series
    );
    // Kassel sees its own; Stadt Kassel nothing of Kassel's.
    assert_eq!(
        json(app.get(path, Some(&app.traeger("06633"))).await, 200).await,
        series
    );
    let theirs = json(app.get(path, Some(&app.traeger("06611"))).await, 200).await;
    assert_eq!(theirs["items"], json!([]));

    // BA's figures for all 26, Stadt Kassel's suppressed, never 0.
    request_ba(&app, json!(["psychosocial_care"])).await;
    json(put_csv(&app, "", registry_csv(psychosocial)).await, 200).await;
    let ba = "/api/v1/reports/series?indicator=psychosocial_care&from=2023";
    let all = json(app.get(ba, Some(&app.hmsi())).await, 200).await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 26);
    let stadt = items.iter().find(|p| p["traeger"] == "06611").unwrap();
    assert_eq!(
        (stadt["value"].clone(), stadt["status"].clone()),
        (Value::Null, json!("suppressed"))
    );
    // Not forwarded yet: a Träger sees none of it; forwarded, its own row.
    assert_eq!(
        json(app.get(ba, Some(&app.traeger("06633"))).await, 200).await["items"],
        json!([])
    );
    json(forward(&app, &app.hmsi()).await, 200).await;
    let own = json(app.get(ba, Some(&app.traeger("06633"))).await, 200).await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["source"], "ba");

    // As CSV for German spreadsheets, and as a chart: Stadt Kassel's mark kept, never 0.
    let ask = |accept: &'static str| {
        app.request(reqwest::Method::GET, ba, Some(&app.hmsi()))
            .header("Accept", accept)
            .send()
    };
    let csv = ask("text/csv").await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "year;month;traeger;traeger_name;value;status;source;origin"
    );
    assert_eq!(lines.len(), 27);
    assert!(
        lines.contains(&"2023;;\"=\"\"06611\"\"\";Stadt Kassel;*;suppressed;ba;ba-2023-1"),
        "{text}"
    );
    // As a workbook: the AGS text, the mark as BA prints it, a figure a number.
    let book = read_workbook(&ask(XLSX).await.unwrap().bytes().await.unwrap());
    let (name, rows) = &book[0];
    assert_eq!(name, "series");
    let (ags, value) = (column(&rows[0], "traeger"), column(&rows[0], "value"));
    assert_eq!(rows.len(), 27);
    let stadt = rows
        .iter()
        .find(|r| r[ags] == Data::String("06611".into()))
        .unwrap();
    assert_eq!(stadt[value], Data::String("*".into()));
    assert_eq!(
        stadt[column(&rows[0], "status")],
        Data::String("suppressed".into())
    );
    let kassel = rows
        .iter()
        .find(|r| r[ags] == Data::String("06633".into()))
        .unwrap();
    assert!(matches!(kassel[value], Data::Float(_)), "{kassel:?}");
    let chart = ask("image/svg+xml").await.unwrap();
    assert_eq!(chart.headers()["content-type"], "image/svg+xml");
    let svg = chart.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("psychosocial_care 2023–2023"));
    assert!(
        svg.contains("Stadt Kassel") && svg.contains("Landkreis Kassel"),
        "a line per Träger"
    );
}

async fn reports_refuse_what_they_cannot_answer(app: TestApp) {
    let completeness = "/api/v1/reports/completeness?year=2023";
    problem(app.get(completeness, None).await, 401).await;
    problem(app.get(completeness, Some("not.a.token")).await, 401).await;
    for token in [app.traeger("06633"), app.jobcenter("06633")] {
        problem(app.get(completeness, Some(&token)).await, 403).await;
    }
    let write_only = app.sign(app.claims("hmsi", None, "write"));
    problem(app.get(completeness, Some(&write_only)).await, 403).await;
    for bad in [
        "",
        "?year=1900",
        "?year=x",
        "?year=2023&colour=red",
        "?year=2023&format=pdf",
        // It has no chart: asked for one by name, it says so.
        "?year=2023&format=svg",
    ] {
        problem(
            app.get(
                &format!("/api/v1/reports/completeness{bad}"),
                Some(&app.hmsi()),
            )
            .await,
            400,
        )
        .await;
    }
    let series = "/api/v1/reports/series";
    problem(
        app.get(&format!("{series}?indicator=k2&from=2023"), None)
            .await,
        401,
    )
    .await;
    for bad in [
        "?indicator=k2",
        "?indicator=K2!&from=2023",
        "?indicator=k2&from=2024&to=2023",
        "?indicator=k2&from=2005&to=2040",
        "?indicator=k2&from=2023&traeger=6633",
    ] {
        problem(
            app.get(&format!("{series}{bad}"), Some(&app.hmsi())).await,
            400,
        )
        .await;
    }
    // Another Träger's series is not refused but empty: its figures are not the caller's to see.
    let other = json(
        app.get(
            &format!("{series}?indicator=debt_counselling_stock&from=2023&traeger=06633"),
            Some(&app.traeger("06611")),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(other["items"], json!([]));
}
