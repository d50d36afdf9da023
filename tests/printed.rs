//! The agreement as a document, through HTTP on SQLite and PostgreSQL: `Accept:
//! application/pdf` gives a PDF laid out as the seed is, read back by an independent PDF
//! reader (lopdf): its pages, and the text on them.

mod common;

use common::seed::{KASSEL, sign_kassel};
use common::{TestApp, json, problem};
use reqwest::Method;

on_both_backends!(
    the_kassel_agreement_prints_as_the_seed_is_laid_out,
    who_may_print_an_agreement,
);

/// The PDF of `path` as `token` gets it, with its response headers.
async fn printed(app: &TestApp, path: &str, token: &str) -> (Vec<u8>, reqwest::header::HeaderMap) {
    let res = app
        .request(Method::GET, path, Some(token))
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    (res.bytes().await.unwrap().to_vec(), headers)
}

/// The pages' text as a reader extracts it, one string per page, whitespace folded.
fn text_of(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF a reader loads");
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    numbers
        .iter()
        .map(|n| {
            let text = doc.extract_text(&[*n]).expect("its text can be read");
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

async fn the_kassel_agreement_prints_as_the_seed_is_laid_out(app: TestApp) {
    let hmsi = app.hmsi();
    let (pdf, headers) = printed(&app, KASSEL, &hmsi).await;
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "inline; filename=\"zv-2023-06633-1.pdf\""
    );
    assert_eq!(
        headers["etag"], "\"2.pdf\"",
        "seeded: drafted, then signed by HMSI"
    );
    let pages = text_of(&pdf);
    assert!((2..=6).contains(&pages.len()), "{} pages", pages.len());
    let all = pages.join(" ");
    let in_order = [
        "Zielvereinbarung 2023",
        "zwischen",
        "dem Hessischen Ministerium für Soziales und Integration (HMSI)",
        "und",
        "dem Landkreis Kassel",
        "Präambel",
        "die soziale Teilhabe zu verbessern",
        "§ 1",
        "Zielsetzung",
        "§ 2",
        "(1) Betreuung minderjähriger Kinder",
        "Der Landkreis Kassel (im Folgenden: „der kommunale Träger“)",
        "Frist: 15.02.2024",
        "(3) Schuldnerberatung",
        "§ 3",
        "(2) Die Leistungsberechtigten",
        "§ 4",
        "§ 5",
        "(1) Der Landkreis Kassel beteiligt sich an Umfragen und Tagungen des HMSI",
        "(2) Nach § 5 Abs. 1 des Hessischen OFFENSIV-Gesetzes",
        "Wiesbaden, den 24.01.2023",
        "Barbara Tiemann",
        "Abteilungsleiterin III „Arbeit“",
        "Landkreis Kassel",
        "(noch nicht unterzeichnet)",
    ];
    let mut from = 0;
    for text in in_order {
        let at = all[from..]
            .find(text)
            .unwrap_or_else(|| panic!("`{text}` after byte {from} of: {all}"));
        from += at + text.len();
    }
    assert!(all.contains("von einer Seite unterzeichnet"));
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("Seite {} von {}", i + 1, pages.len());
        assert!(page.contains(&footer), "page {}: {page}", i + 1);
        assert!(page.contains("zv-2023-06633-1"));
    }
    // Once Kassel signed: both signature blocks, and in force.
    sign_kassel(&app).await;
    let (pdf, headers) = printed(&app, KASSEL, &app.jobcenter("06633")).await;
    assert_eq!(headers["etag"], "\"3.pdf\"");
    let all = text_of(&pdf).join(" ");
    for text in [
        "Kassel, den 10.02.2023",
        "Andreas Siebert",
        "Landrat",
        "Stand: in Kraft",
    ] {
        assert!(all.contains(text), "`{text}` in: {all}");
    }
    assert!(!all.contains("noch nicht unterzeichnet"));
    // JSON stays the default, and says it varies by Accept.
    let res = app.get(KASSEL, Some(&hmsi)).await;
    assert_eq!(res.headers()["vary"], "Accept");
    assert_eq!(json(res, 200).await["id"], "zv-2023-06633-1");
}

/// `path` asked for as a PDF by `token`.
async fn ask(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    app.request(Method::GET, path, token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap()
}

async fn who_may_print_an_agreement(app: TestApp) {
    problem(ask(&app, KASSEL, None).await, 401).await;
    problem(ask(&app, KASSEL, Some("x.y.z")).await, 401).await;
    problem(ask(&app, KASSEL, Some(&app.traeger("06611"))).await, 404).await;
    problem(ask(&app, KASSEL, Some(&app.jobcenter("06611"))).await, 404).await;
    let missing = "/api/v1/agreements/zv-2023-06633-99";
    problem(ask(&app, missing, Some(&app.hmsi())).await, 404).await;
    problem(
        ask(&app, "/api/v1/agreements/not-an-id", Some(&app.hmsi())).await,
        404,
    )
    .await;
    let res = ask(&app, KASSEL, Some(&app.traeger("06633"))).await;
    assert_eq!(res.status(), 200);
}
