//! A replica keeps the Träger and agreements it read while their revisions stand (`app::kept`;
//! on PostgreSQL it listens for them, `store::listen`): a write of its own shows in its very
//! next read, one around it as soon as the database has told of it, and keeping changes
//! nothing about who may read what. On both databases.

mod common;

use common::seed::{DEBT, KASSEL, debt_values, draft, draft_debt, sign_kassel, submit_debt};
use common::{TestApp, json, problem};
use serde_json::{Value, json};
use zv_monitor::app::{AppError, Clock, Services, traeger};
use zv_monitor::domain::actor::Visibility;
use zv_monitor::domain::traeger::Ags;
use zv_monitor::store::revisions::{self, Subject};
use zv_monitor::store::{Backend, Db, pool};

on_both_backends!(
    a_write_of_the_replica_shows_in_its_next_read,
    a_write_around_the_replica_shows_once_told,
    pollers_get_304_until_the_traeger_changes,
    what_is_kept_for_one_caller_stays_hidden_from_another,
    the_listener_comes_back_and_misses_nothing,
    a_replica_that_knows_the_revisions_reads_its_own_writes_at_once,
    the_obligations_overview_follows_every_write_and_every_caller,
);

const KASSEL_TRAEGER: &str = "/api/v1/traeger/06633";
const OTHER_AGREEMENT: &str = "/api/v1/agreements/zv-2023-06611-1";

async fn read(app: &TestApp, path: &str) -> Value {
    json(app.get(path, Some(&app.hmsi())).await, 200).await
}

fn renamed(jobcenter_name: &str) -> Value {
    json!({
        "name": "Landkreis Kassel",
        "kind": "landkreis",
        "jobcenter": {"id": "jc-06633", "name": jobcenter_name, "form": "ge"}
    })
}

async fn a_write_of_the_replica_shows_in_its_next_read(app: TestApp) {
    let before = read(&app, KASSEL_TRAEGER).await;
    assert_eq!(
        read(&app, KASSEL_TRAEGER).await,
        before,
        "read twice, one answer"
    );
    let updated = app
        .put(
            KASSEL_TRAEGER,
            Some(&app.hmsi()),
            Some("\"1\""),
            &renamed("JC Kassel neu"),
        )
        .await;
    json(updated, 200).await;
    // No waiting: the replica that wrote reads its write at once, on both databases.
    let after = read(&app, KASSEL_TRAEGER).await;
    assert_eq!(after["jobcenter"]["name"], "JC Kassel neu");
    assert_eq!(after["version"], 2);

    let unsigned = read(&app, KASSEL).await;
    sign_kassel(&app).await;
    let signed = read(&app, KASSEL).await;
    assert_ne!(signed["status"], unsigned["status"]);
    assert_eq!(signed["status"], "in_force");
    let jobcenter = app.jobcenter("06633");
    let seen = json(app.get(KASSEL, Some(&jobcenter)).await, 200).await;
    assert_eq!(seen["status"], "in_force", "every caller sees the write");
}

async fn a_write_around_the_replica_shows_once_told(app: TestApp) {
    read(&app, KASSEL_TRAEGER).await;
    read(&app, KASSEL).await;
    app.sql("UPDATE traeger SET name = 'Von Hand' WHERE ags = '06633'")
        .unwrap();
    let traeger = app
        .once_seen(|| read(&app, KASSEL_TRAEGER), |t| t["name"] == "Von Hand")
        .await;
    assert_eq!(traeger["name"], "Von Hand");

    app.sql("UPDATE agreements SET benefits = 'Von Hand' WHERE id = 'zv-2023-06633-1'")
        .unwrap();
    let agreement = app
        .once_seen(|| read(&app, KASSEL), |a| a["benefits"] == "Von Hand")
        .await;
    assert_eq!(agreement["benefits"], "Von Hand");

    // A table of the agreement's other than its own row counts as well.
    app.sql("DELETE FROM signatures WHERE agreement_id = 'zv-2023-06633-1'")
        .unwrap();
    let agreement = app
        .once_seen(
            || read(&app, KASSEL),
            |a| a["signatures"].as_array().is_some_and(Vec::is_empty),
        )
        .await;
    assert_eq!(agreement["signatures"], json!([]));

    let added = json!({
        "ags": "06499", "name": "Testkreis", "kind": "landkreis",
        "jobcenter": {"id": "jc-06499", "name": "Jobcenter Test", "form": "zkt"}
    });
    json(
        app.post("/api/v1/traeger", Some(&app.hmsi()), &added).await,
        201,
    )
    .await;
    read(&app, "/api/v1/traeger/06499").await;
    app.sql("DELETE FROM traeger WHERE ags = '06499'").unwrap();
    let hmsi = app.hmsi();
    let gone = app
        .once_seen(
            || app.get("/api/v1/traeger/06499", Some(&hmsi)),
            |r| r.status() == 404,
        )
        .await;
    problem(gone, 404).await;
}

async fn pollers_get_304_until_the_traeger_changes(app: TestApp) {
    let token = app.jobcenter("06633");
    let change = "UPDATE traeger SET version = version + 1, name = 'Neu' WHERE ags = '06633'";
    let changed = app
        .polled_until_changed(KASSEL_TRAEGER, &token, change)
        .await;
    assert_eq!(json(changed, 200).await["name"], "Neu");
}

async fn what_is_kept_for_one_caller_stays_hidden_from_another(app: TestApp) {
    // HMSI reads both, so both are kept; then each caller is checked against what is kept.
    let other = draft(&app, "06611", 2023, None).await;
    assert_eq!(
        format!(
            "/api/v1/agreements/{}",
            other["agreement"]["id"].as_str().unwrap()
        ),
        OTHER_AGREEMENT
    );
    read(&app, "/api/v1/traeger/06611").await;
    read(&app, OTHER_AGREEMENT).await;
    read(&app, KASSEL).await;
    for token in [app.traeger("06633"), app.jobcenter("06633")] {
        for path in ["/api/v1/traeger/06611", OTHER_AGREEMENT] {
            problem(app.get(path, Some(&token)).await, 404).await;
        }
        json(app.get(KASSEL, Some(&token)).await, 200).await;
        json(app.get(KASSEL_TRAEGER, Some(&token)).await, 200).await;
    }
    for path in [KASSEL_TRAEGER, KASSEL] {
        problem(app.get(path, None).await, 401).await;
        problem(app.get(path, Some("not-a-token")).await, 401).await;
        let no_read = app.sign(app.claims("hmsi", None, "write"));
        problem(app.get(path, Some(&no_read)).await, 403).await;
    }
    problem(
        app.get("/api/v1/traeger/6633", Some(&app.hmsi())).await,
        400,
    )
    .await;
    problem(
        app.get("/api/v1/traeger/06499", Some(&app.hmsi())).await,
        404,
    )
    .await;
    problem(
        app.get("/api/v1/agreements/zv-2023-06633-9", Some(&app.hmsi()))
            .await,
        404,
    )
    .await;
}

/// PostgreSQL ends the listener's connection (a restart, a failover, an administrator): the
/// replica asks for revisions meanwhile, listens again, and what was written while it did not
/// listen shows.
async fn the_listener_comes_back_and_misses_nothing(app: TestApp) {
    read(&app, KASSEL_TRAEGER).await;
    if app.backend == Backend::Postgres {
        let listener = "application_name = 'zv-monitor revisions' AND datname = current_database()";
        app.sql(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {listener}"
        ))
        .unwrap();
        app.sql("UPDATE traeger SET name = 'Ohne Ohr' WHERE ags = '06633'")
            .unwrap();
        let traeger = app
            .once_seen(|| read(&app, KASSEL_TRAEGER), |t| t["name"] == "Ohne Ohr")
            .await;
        assert_eq!(traeger["name"], "Ohne Ohr");
        let back = app
            .once_seen(
                || async {
                    app.count(&format!(
                        "SELECT count(*) FROM pg_stat_activity WHERE {listener}"
                    ))
                },
                |n| *n == 1,
            )
            .await;
        assert_eq!(back, 1, "the replica listens again");
        let metrics = app
            .once_seen(
                || async { app.get("/metrics", None).await.text().await.unwrap() },
                |m| m.contains("zv_revisions_listening 1"),
            )
            .await;
        assert!(metrics.contains("zv_revisions_listening 1"), "{metrics}");
    }
    app.sql("UPDATE traeger SET name = 'Wieder' WHERE ags = '06633'")
        .unwrap();
    let traeger = app
        .once_seen(|| read(&app, KASSEL_TRAEGER), |t| t["name"] == "Wieder")
        .await;
    assert_eq!(traeger["name"], "Wieder");
}

/// A second replica on the same database whose ear is played by the test: it has "heard"
/// every revision once and is told nothing more unless the test tells it. What it answers then
/// is what it kept, without a statement, and its own writes must still show at once: nothing
/// tells of them in time on a real replica either.
async fn a_replica_that_knows_the_revisions_reads_its_own_writes_at_once(app: TestApp) {
    let pool = pool::build_pool(&app.database_url, 2, std::time::Duration::from_secs(2)).unwrap();
    let db = Db::new(pool, app.backend);
    let services = Services::new(db.clone(), Clock::new(None));
    let ticket = db.heard().ticket();
    let all = revisions::all(&mut db.pool().get().unwrap()).unwrap();
    db.heard().listening(ticket, &all);
    let name = || async {
        let kassel = traeger::find(&services, Visibility::All, Ags::parse("06633").unwrap());
        kassel.await.unwrap().content.name
    };
    assert_eq!(name().await, "Landkreis Kassel");

    app.sql("UPDATE traeger SET name = 'Ungehört' WHERE ags = '06633'")
        .unwrap();
    assert_eq!(
        name().await,
        "Landkreis Kassel",
        "untold, the replica answers what it kept: the read asked the database nothing"
    );
    let raised = app.count("SELECT revision FROM revisions WHERE subject = 'traeger'");
    db.heard().told(Subject::Traeger, raised);
    assert_eq!(name().await, "Ungehört", "told, it reads again");

    db.run(|conn| {
        pool::write_transaction(conn, |conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("UPDATE traeger SET name = 'Eigen' WHERE ags = '06633'")
                .map_err(AppError::from)
        })
    })
    .await
    .unwrap();
    assert_eq!(
        name().await,
        "Eigen",
        "its own write, untold, shows at once"
    );
}

const OVERVIEW: &str = "/api/v1/obligations?year=2023&limit=1000";

fn item<'a>(page: &'a Value, id: &str) -> &'a Value {
    let items = page["items"].as_array().unwrap();
    items.iter().find(|o| o["id"] == id).unwrap()
}

/// The overview is read from the catalogue, the agreements, the submissions and the
/// transmissions, and depends on the caller: it is kept per caller's sight and follows a write
/// to any of them.
async fn the_obligations_overview_follows_every_write_and_every_caller(app: TestApp) {
    let hmsi = app.hmsi();
    let first = json(app.get(OVERVIEW, Some(&hmsi)).await, 200).await;
    assert_eq!(item(&first, DEBT)["agreement_status"], "signed_by_one");
    sign_kassel(&app).await;
    let signed = json(app.get(OVERVIEW, Some(&hmsi)).await, 200).await;
    assert_eq!(item(&signed, DEBT)["agreement_status"], "in_force");
    let before = item(&signed, DEBT).clone();
    for _ in 0..2 {
        let other = json(app.get(OVERVIEW, Some(&app.traeger("06611"))).await, 200).await;
        assert!(
            other["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["traeger"] == "06611"),
            "kept for HMSI, still only its own for a Träger: {other}"
        );
        let jobcenter = json(app.get(OVERVIEW, Some(&app.jobcenter("06633"))).await, 200).await;
        assert!(!jobcenter["items"].as_array().unwrap().is_empty());
        assert!(
            jobcenter["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["traeger"] == "06633")
        );
    }

    // A submission through the API: the next overview shows it, no waiting.
    let etag = app.get(OVERVIEW, Some(&hmsi)).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let unchanged = app.get_if_none_match(OVERVIEW, &hmsi, &etag).await;
    assert_eq!(unchanged.status(), 304);
    draft_debt(&app, debt_values(412, 187, 268, 121)).await;
    submit_debt(&app).await;
    let submitted = json(app.get_if_none_match(OVERVIEW, &hmsi, &etag).await, 200).await;
    assert_ne!(item(&submitted, DEBT)["status"], before["status"]);
    assert_eq!(
        item(&submitted, DEBT)["submission_id"],
        "sub-zv-2023-06633-1.3"
    );

    // Around the service: an obligation's title by SQL.
    app.sql(&format!(
        "UPDATE obligations SET title_de = 'Von Hand' WHERE id = '{DEBT}'"
    ))
    .unwrap();
    let titled = app
        .once_seen(
            || async { json(app.get(OVERVIEW, Some(&hmsi)).await, 200).await },
            |page| item(page, DEBT)["title_de"] == "Von Hand",
        )
        .await;
    assert_eq!(item(&titled, DEBT)["title_de"], "Von Hand");
    problem(app.get(OVERVIEW, None).await, 401).await;
    problem(
        app.get("/api/v1/obligations?year=x", Some(&hmsi)).await,
        400,
    )
    .await;
}
