//! The identity provider's keys while the service runs: found by OpenID Connect discovery or at
//! a JWKS URL, rotated without a restart (a new `kid` works at once, the old one until it leaves
//! the set), cached as the provider's Cache-Control says, kept when the provider is down, fetched
//! at most once per interval however many unknown key ids arrive, and a JWKS file re-read when it
//! changes. The database plays no part in any of it: these run on SQLite only.

mod common;

use std::time::{Duration, Instant};

use common::idp::{CURRENT, Key, NEXT, Provider, jwks};
use common::{TestApp, json, problem};
use futures_util::future::join_all;
use zv_monitor::Settings;

const READ: &str = "/api/v1/traeger/06633";

/// Settings that find the keys from `idp`'s discovery document, looked at most every `every`.
fn discovered(idp: &Provider, every: Duration) -> impl FnOnce(&mut Settings) {
    let issuer = idp.issuer.clone();
    move |s| {
        s.jwt_issuer = Some(issuer);
        s.jwt_discovery = true;
        s.jwks_refetch_interval = every;
        s.jwks_cache_min = Duration::from_secs(1);
    }
}

/// An HMSI token of `issuer` signed with `key`.
fn token(app: &TestApp, key: Key, issuer: Option<&str>) -> String {
    let mut claims = app.claims("hmsi", None, "read");
    claims.iss = issuer.map(str::to_owned);
    key.token(&claims)
}

/// The status `token` gets, and the problem's detail when refused.
async fn answer(app: &TestApp, token: &str) -> (u16, String) {
    let res = app.get(READ, Some(token)).await;
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.unwrap();
    (
        status,
        body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Waits (at most 5 s) until `token` gets `status`; whether it did.
async fn until_answered(app: &TestApp, token: &str, status: u16) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if answer(app, token).await.0 == status {
            return true;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[actix_web::test]
async fn a_rotated_key_works_at_once_and_the_old_one_until_it_leaves_the_set() {
    let idp = Provider::start(&[CURRENT], "public, max-age=3600");
    let app = TestApp::sqlite_with(discovered(&idp, Duration::from_secs(1))).await;
    let iss = Some(idp.issuer.as_str());
    assert_eq!(idp.fetches(), 1, "fetched once at start");
    assert_eq!(answer(&app, &token(&app, CURRENT, iss)).await.0, 200);

    // The provider adds a key and signs with it; the first such token brings the new set.
    idp.publish(&[CURRENT, NEXT]);
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(answer(&app, &token(&app, NEXT, iss)).await.0, 200);
    assert_eq!(idp.fetches(), 2);
    assert_eq!(answer(&app, &token(&app, CURRENT, iss)).await.0, 200);
    assert_eq!(idp.fetches(), 2, "known keys are not fetched again");

    // The old key leaves the set: once the service looked again, its tokens are refused.
    idp.publish(&[NEXT]);
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    let mut claims = app.claims("hmsi", None, "read");
    claims.iss = iss.map(str::to_owned);
    let (status, _) = answer(&app, &CURRENT.sign("rotated-away", &claims)).await;
    assert_eq!(status, 401);
    assert_eq!(idp.fetches(), 3);
    let (status, detail) = answer(&app, &token(&app, CURRENT, iss)).await;
    assert_eq!(
        (status, detail.contains("unknown")),
        (401, true),
        "{detail}"
    );
    assert_eq!(answer(&app, &token(&app, NEXT, iss)).await.0, 200);

    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    for line in [
        "zv_jwks_fetches_total{outcome=\"updated\",trigger=\"start\"} 1",
        "zv_jwks_fetches_total{outcome=\"updated\",trigger=\"unknown_kid\"} 2",
        "zv_jwks_keys 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    idp.stop().await;
}

#[actix_web::test]
async fn tokens_arriving_while_the_keys_are_fetched_wait_for_them() {
    let idp = Provider::start(&[CURRENT], "public, max-age=3600");
    let app = TestApp::sqlite_with(discovered(&idp, Duration::from_millis(200))).await;
    let iss = Some(idp.issuer.as_str());
    idp.publish(&[CURRENT, NEXT]);
    idp.slow(Duration::from_millis(800));
    actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    // The first token asks for the look; the second comes while it is under way.
    let first = token(&app, NEXT, iss);
    let mut claims = app.claims("traeger", Some("06633"), "read");
    claims.iss = iss.map(str::to_owned);
    let second = NEXT.token(&claims);
    let later = async {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        answer(&app, &second).await
    };
    let (a, b) = futures_util::future::join(answer(&app, &first), later).await;
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(idp.fetches(), 2, "one look for both");
    idp.stop().await;
}

#[actix_web::test]
async fn keys_are_fetched_again_when_the_providers_caching_ends() {
    let idp = Provider::start(&[CURRENT, NEXT], "public, max-age=1");
    let app = TestApp::sqlite_with(discovered(&idp, Duration::from_millis(200))).await;
    let iss = Some(idp.issuer.as_str());
    assert_eq!(answer(&app, &token(&app, CURRENT, iss)).await.0, 200);
    // No token asks for it: the schedule (max-age=1) finds the key gone.
    idp.publish(&[NEXT]);
    assert!(until_answered(&app, &token(&app, CURRENT, iss), 401).await);
    assert!(idp.fetches() >= 2);
    assert_eq!(answer(&app, &token(&app, NEXT, iss)).await.0, 200);
    idp.stop().await;
}

#[actix_web::test]
async fn the_last_good_keys_stay_in_force_while_the_provider_is_down() {
    let idp = Provider::start(&[CURRENT], "max-age=1");
    let app = TestApp::sqlite_with(discovered(&idp, Duration::from_millis(200))).await;
    let iss = Some(idp.issuer.as_str());
    idp.down();
    let start = Instant::now();
    // Discovery and the set at start, then each failed look asks again.
    while idp.asked() < 4 && start.elapsed() < Duration::from_secs(5) {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(idp.asked() >= 4, "the schedule keeps trying");
    assert_eq!(answer(&app, &token(&app, CURRENT, iss)).await.0, 200);
    json(app.get("/health/ready", None).await, 200).await;
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("zv_jwks_fetches_total{outcome=\"failed\",trigger=\"schedule\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("zv_jwks_keys 1"), "{metrics}");
    // A key the provider could not tell of is unknown, and stays so until it answers again.
    assert_eq!(answer(&app, &token(&app, NEXT, iss)).await.0, 401);
    idp.publish(&[CURRENT, NEXT]);
    idp.up();
    assert!(until_answered(&app, &token(&app, NEXT, iss), 200).await);
    idp.stop().await;
}

#[actix_web::test]
async fn a_flood_of_unknown_key_ids_fetches_at_most_once_per_interval() {
    let idp = Provider::start(&[CURRENT], "max-age=3600");
    let url = idp.jwks_url();
    let app = TestApp::sqlite_with(move |s| {
        s.jwks_url = Some(url);
        s.jwks_refetch_interval = Duration::from_secs(3);
    })
    .await;
    let claims = app.claims("hmsi", None, "read");
    let flood = |round: usize| {
        let app = &app;
        let claims = &claims;
        join_all((0..150).map(move |i| async move {
            answer(app, &CURRENT.sign(&format!("made-up-{round}-{i}"), claims)).await
        }))
    };
    actix_web::rt::time::sleep(Duration::from_millis(3100)).await;
    let first = flood(1).await;
    assert!(
        first
            .iter()
            .all(|(s, d)| *s == 401 && d.contains("unknown"))
    );
    assert_eq!(idp.fetches(), 2, "150 unknown key ids, one fetch");
    flood(2).await;
    assert_eq!(idp.fetches(), 2, "none within the interval");
    assert_eq!(answer(&app, &CURRENT.token(&claims)).await.0, 200);
    actix_web::rt::time::sleep(Duration::from_millis(3100)).await;
    flood(3).await;
    assert_eq!(idp.fetches(), 3);
    idp.stop().await;
}

#[actix_web::test]
async fn a_replica_without_keys_is_not_ready_until_the_provider_answers() {
    let idp = Provider::start(&[CURRENT], "max-age=3600");
    // A discovery document naming another issuer is not this provider's (OIDC Discovery § 4.3).
    idp.name_issuer("https://evil.example/realms/hmsi");
    let app = TestApp::sqlite_with(discovered(&idp, Duration::from_millis(200))).await;
    let iss = Some(idp.issuer.as_str());
    let not_ready = problem(app.get("/health/ready", None).await, 503).await;
    assert!(
        not_ready["detail"].as_str().unwrap().contains("keys"),
        "{not_ready}"
    );
    assert_eq!(answer(&app, &token(&app, CURRENT, iss)).await.0, 401);
    idp.name_issuer(&idp.issuer.clone());
    let start = Instant::now();
    while app.get("/health/ready", None).await.status() != 200 {
        assert!(start.elapsed() < Duration::from_secs(5), "ready again");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answer(&app, &token(&app, CURRENT, iss)).await.0, 200);
    idp.stop().await;
}

/// Replaces the file as a deployment does: written beside it, renamed into place.
fn replace(path: &std::path::Path, contents: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, contents).unwrap();
    std::fs::rename(tmp, path).unwrap();
}

#[actix_web::test]
async fn a_jwks_file_is_read_again_when_it_changes() {
    let dir = std::env::temp_dir().join(format!("zv-jwks-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("jwks.json");
    replace(&file, &jwks(&[CURRENT]).to_string());
    let path = file.clone();
    let app = TestApp::sqlite_with(move |s| {
        s.jwks_file = Some(path);
        s.jwks_refetch_interval = Duration::from_millis(100);
    })
    .await;
    assert_eq!(answer(&app, &token(&app, CURRENT, None)).await.0, 200);
    assert_eq!(answer(&app, &token(&app, NEXT, None)).await.0, 401);

    replace(&file, &jwks(&[CURRENT, NEXT]).to_string());
    assert!(until_answered(&app, &token(&app, NEXT, None), 200).await);
    // A broken file leaves the keys as they were.
    replace(&file, "{\"keys\": [");
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(answer(&app, &token(&app, CURRENT, None)).await.0, 200);
    assert_eq!(answer(&app, &token(&app, NEXT, None)).await.0, 200);
    replace(&file, &jwks(&[NEXT]).to_string());
    assert!(until_answered(&app, &token(&app, CURRENT, None), 401).await);
    assert_eq!(answer(&app, &token(&app, NEXT, None)).await.0, 200);
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn where_the_keys_are_is_checked_at_start() {
    let dir = std::env::temp_dir().join(format!("zv-keys-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("db.sqlite3").display().to_string();
    let refused = |tweak: fn(&mut Settings)| {
        let mut s = common::settings(&db);
        tweak(&mut s);
        async move {
            zv_monitor::Application::build(s)
                .await
                .err()
                .expect("refused")
                .to_string()
        }
    };
    let both = refused(|s| {
        s.jwks_file = Some("jwks.json".into());
        s.jwks_url = Some("https://sso.hessen.example/certs".into());
    })
    .await;
    assert!(both.contains("set one"), "{both}");
    let plain = refused(|s| s.jwks_url = Some("http://sso.hessen.example/certs".into())).await;
    assert!(
        plain.contains("ZV_JWKS_URL") && plain.contains("https"),
        "{plain}"
    );
    let no_issuer = refused(|s| s.jwt_discovery = true).await;
    assert!(no_issuer.contains("ZV_JWT_ISSUER"), "{no_issuer}");
    std::fs::remove_dir_all(dir).unwrap();
}
