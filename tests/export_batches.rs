//! Exports larger than a batch, on SQLite and PostgreSQL: every value exported once, and all
//! batches read from the snapshot the export began with.

mod common;

use common::{TestApp, json};
use reqwest::Method;
use serde_json::Value;

on_both_backends!(
    mod on_2024_03_01 with |s| s.today = Some("2024-03-01".parse().unwrap());
    a_history_larger_than_a_batch_is_exported_whole_and_once,
    an_export_reads_one_snapshot_while_others_write,
);

/// Writes submissions straight into the tables, as many as several export batches hold: for
/// each Träger, `year` one with an accepted revision 1 and a newer draft 2 (values 999), `year
/// + 1` one under review, `year + 2` a draft only.
fn many_submissions(app: &TestApp, year: i32, codes: &[String], bodies: usize) {
    let codes_sql = codes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("SELECT '{c}' AS code, {i} AS pos"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let bodies_sql = (0..=bodies)
        .map(|b| format!("SELECT {b} AS b"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let (y0, y1, y2) = (year, year + 1, year + 2);
    app.sql(&format!(
        "INSERT INTO agreements (id, traeger, year, kind, legal_basis, benefits, sections, targets,
             status, supersedes, version, created_at, updated_at)
         SELECT 'zv-' || y.year || '-' || t.ags || '-7', t.ags, y.year, 'reporting', 'test', 'test',
             '[]', '[]', 'in_force', NULL, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
         FROM traeger t CROSS JOIN (SELECT {y0} AS year UNION ALL SELECT {y1} UNION ALL SELECT {y2}) y;
         INSERT INTO obligations (id, agreement_id, position, section, title_de, delivered_by,
             recipients, due, note)
         SELECT a.id || '.1', a.id, 0, '§ 9 (1)', 'Test', 'traeger', 'jobcenter hmsi', NULL, NULL
         FROM agreements a WHERE a.legal_basis = 'test';
         INSERT INTO submissions (id, obligation_id, agreement_id, traeger, year, section, due,
             recipients, status, current_revision, accepted_revision, version, created_at, updated_at)
         SELECT 'sub-' || a.id || '.1', a.id || '.1', a.id, a.traeger, a.year, '§ 9 (1)', NULL,
             'jobcenter hmsi',
             CASE a.year WHEN {y0} THEN 'draft' WHEN {y1} THEN 'submitted' ELSE 'draft' END,
             CASE a.year WHEN {y0} THEN 2 ELSE 1 END,
             CASE a.year WHEN {y0} THEN 1 ELSE NULL END,
             1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
         FROM agreements a WHERE a.legal_basis = 'test';
         INSERT INTO submission_revisions (submission_id, revision, status, created_by, created_at,
             submitted_by, submitted_at, days_late, reviewed_by, reviewed_at, return_reason)
         SELECT s.id, r.revision,
             CASE WHEN s.year = {y0} AND r.revision = 1 THEN 'accepted'
                  WHEN s.year = {y1} THEN 'submitted' ELSE 'draft' END,
             'test', CURRENT_TIMESTAMP, NULL, CURRENT_TIMESTAMP, NULL, NULL, CURRENT_TIMESTAMP, NULL
         FROM submissions s CROSS JOIN (SELECT 1 AS revision UNION ALL SELECT 2) r
         WHERE s.id LIKE 'sub-zv-%-7.1' AND r.revision <= s.current_revision;
         INSERT INTO submission_values (submission_id, revision, position, indicator_code,
             reporting_body, unit, value_int, value_text, note)
         SELECT r.submission_id, r.revision, c.pos * {n} + b.b, c.code,
             CASE WHEN b.b = 0 THEN '' ELSE 'Stelle ' || b.b END, 'count',
             CASE WHEN r.revision = 2 THEN 999 WHEN b.b = 0 THEN {total} ELSE 10 END, NULL, NULL
         FROM submission_revisions r CROSS JOIN ({codes_sql}) c CROSS JOIN ({bodies_sql}) b
         WHERE r.submission_id LIKE 'sub-zv-%-7.1';",
        n = bodies + 1,
        total = 10 * bodies,
    ))
    .unwrap();
}

async fn a_history_larger_than_a_batch_is_exported_whole_and_once(app: TestApp) {
    let year = 2024;
    let catalogue = json(
        app.get(
            &format!("/api/v1/indicators?year={year}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    let codes: Vec<String> = catalogue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["unit"] == "count")
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .take(6)
        .collect();
    let bodies = 2;
    many_submissions(&app, year, &codes, bodies);
    let traeger = json(
        app.get("/api/v1/traeger?limit=1000", Some(&app.hmsi()))
            .await,
        200,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len();

    let res = app
        .request(
            Method::GET,
            "/api/v1/exports/facts?source=traeger",
            Some(&app.hmsi_read_only()),
        )
        .header("accept", "application/x-ndjson")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let rows: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &Value| r["origin"].as_str().unwrap().ends_with("-7.1"))
        .collect();
    // Two of the three years have a valid revision: the accepted one and the one under review.
    let expected = traeger * 2 * codes.len() * (1 + bodies);
    assert_eq!(rows.len(), expected);
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        let key = (
            r["origin"].clone(),
            r["indicator"].clone(),
            r["reporting_body"].clone(),
        );
        assert!(seen.insert(key), "exported twice: {r}");
        assert_ne!(r["value"], 999, "a draft revision was exported: {r}");
        let (state, revision) = match r["year"].as_i64().unwrap() as i32 {
            y if y == year => ("accepted", 1),
            y if y == year + 1 => ("submitted", 1),
            _ => panic!("a draft-only submission was exported: {r}"),
        };
        assert_eq!(
            (
                r["state"].as_str().unwrap(),
                r["revision"].as_i64().unwrap()
            ),
            (state, revision)
        );
    }

    // The same rows in CSV: a header and one line each.
    let csv = app
        .request(
            Method::GET,
            "/api/v1/exports/facts?source=traeger&format=csv",
            Some(&app.hmsi_read_only()),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines = csv.lines().filter(|l| l.contains("-7.1,")).count();
    assert_eq!(lines, expected);
}

async fn count_codes(app: &TestApp, year: i32) -> Vec<String> {
    let catalogue = json(
        app.get(
            &format!("/api/v1/indicators?year={year}"),
            Some(&app.hmsi()),
        )
        .await,
        200,
    )
    .await;
    catalogue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["unit"] == "count")
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .take(6)
        .collect()
}

/// Export batches read the snapshot taken when the export began: a value changed after the first
/// batch, in a submission the export reaches only later, is exported as it was. Driven through
/// the export's own API, because over HTTP the socket buffers would hide when batches are read.
async fn an_export_reads_one_snapshot_while_others_write(app: TestApp) {
    use zv_monitor::app::exports::{Export, FactFilter};
    use zv_monitor::app::{Clock, Services};
    use zv_monitor::domain::actor::Visibility;
    use zv_monitor::domain::figure::Figure;
    use zv_monitor::store::{Db, pool};

    let codes = count_codes(&app, 2024).await;
    many_submissions(&app, 2024, &codes, 2);
    let pool = pool::build_pool(&app.database_url, 2, std::time::Duration::from_secs(5)).unwrap();
    let db = Services::new(Db::new(pool, app.backend), Clock::default());
    let filter = FactFilter {
        source: Some(zv_monitor::domain::indicator::Source::Traeger),
        ..FactFilter::default()
    };
    let changed = Figure::Count(4242);
    let exported = |facts: &[zv_monitor::domain::fact::Fact]| {
        facts
            .iter()
            .filter(|f| f.value.as_ref() == Some(&changed))
            .count()
    };

    let mut export = Export::start(&db, Visibility::All, filter.clone())
        .await
        .unwrap();
    let mut facts = export.next_batch().await.unwrap().unwrap();
    // The last accepted submission in id order: the export has not read it yet.
    app.sql(
        "UPDATE submission_values SET value_int = 4242
         WHERE submission_id = (SELECT max(id) FROM submissions WHERE id LIKE 'sub-zv-2024-%-7.1')
           AND revision = 1",
    )
    .unwrap();
    while let Some(batch) = export.next_batch().await.unwrap() {
        facts.extend(batch);
    }
    assert_eq!(
        exported(&facts),
        0,
        "a change after the start leaked into the export"
    );
    let expected = facts.len();

    // A new export sees the change, in every row of that submission.
    let mut export = Export::start(&db, Visibility::All, filter).await.unwrap();
    let mut after = Vec::new();
    while let Some(batch) = export.next_batch().await.unwrap() {
        after.extend(batch);
    }
    assert_eq!(after.len(), expected);
    assert_eq!(exported(&after), codes.len() * 3);

    // An export dropped half-way (its client went away) leaves no open transaction behind:
    // the pool closes the connection it held instead of lending it out again.
    let single = pool::build_pool(&app.database_url, 1, std::time::Duration::from_secs(5)).unwrap();
    let db = Db::new(single, app.backend);
    let services = Services::new(db.clone(), Clock::default());
    let mut export = Export::start(&services, Visibility::All, FactFilter::default())
        .await
        .unwrap();
    export.next_batch().await.unwrap();
    drop(export);
    let depth = db
        .run(|conn| {
            use diesel::connection::{Connection, TransactionManager};
            type Tm = <zv_monitor::store::DbConnection as Connection>::TransactionManager;
            let depth = Tm::transaction_manager_status_mut(conn).transaction_depth();
            Ok::<_, zv_monitor::store::Unavailable>(depth.ok().flatten())
        })
        .await
        .unwrap();
    assert_eq!(
        depth, None,
        "the next user got a connection inside the export's snapshot"
    );
}
