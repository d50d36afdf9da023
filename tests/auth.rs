//! Authentication through HTTP: every way a token can be wrong gets 401 with a problem and
//! `WWW-Authenticate: Bearer`, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, json, problem};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

on_both_backends!(
    every_protected_endpoint_refuses_a_missing_token,
    malformed_and_forged_tokens_are_refused,
    expired_tokens_are_refused,
    tokens_from_the_future_or_without_expiry_are_refused,
    unknown_roles_and_unbound_tokens_are_refused,
);

/// Every documented operation that needs a token, with a body where it takes one.
const PROTECTED: &[(&str, &str)] = &[
    ("GET", "/api/v1/traeger"),
    ("GET", "/api/v1/traeger/06633"),
    ("POST", "/api/v1/traeger"),
    ("PUT", "/api/v1/traeger/06633"),
    ("GET", "/api/v1/audit-events"),
    ("GET", "/api/v1/audit-events/verify"),
    ("GET", "/api/v1/changes"),
    ("GET", "/api/v1/exports/facts"),
    ("GET", "/api/v1/indicators"),
    ("GET", "/api/v1/indicators/childcare_u3"),
    ("POST", "/api/v1/indicators"),
    ("PUT", "/api/v1/indicators/childcare_u3?year=2023"),
    ("GET", "/api/v1/agreements"),
    ("GET", "/api/v1/agreements/zv-2023-06633-1"),
    ("GET", "/api/v1/agreements/zv-2023-06633-1/obligations"),
    ("POST", "/api/v1/agreements"),
    ("PUT", "/api/v1/agreements/zv-2023-06633-1"),
    ("POST", "/api/v1/agreements/zv-2023-06633-1/signatures"),
    ("POST", "/api/v1/agreements/rollover"),
    ("GET", "/api/v1/obligations"),
    ("GET", "/api/v1/submissions"),
    ("GET", "/api/v1/submissions/sub-zv-2023-06633-1.3"),
    ("POST", "/api/v1/submissions"),
    ("PUT", "/api/v1/submissions/sub-zv-2023-06633-1.3"),
    ("POST", "/api/v1/submissions/sub-zv-2023-06633-1.3/submit"),
    ("POST", "/api/v1/submissions/sub-zv-2023-06633-1.3/review"),
    (
        "POST",
        "/api/v1/submissions/sub-zv-2023-06633-1.3/corrections",
    ),
    ("POST", "/api/v1/submissions/sub-zv-2023-06633-1.3/receipts"),
    ("GET", "/api/v1/submissions/sub-zv-2023-06633-1.3/revisions"),
    (
        "GET",
        "/api/v1/submissions/sub-zv-2023-06633-1.3/revisions/1",
    ),
    ("GET", "/api/v1/transmissions"),
    ("GET", "/api/v1/transmissions/ba-2023-1"),
    ("POST", "/api/v1/transmissions"),
    ("PUT", "/api/v1/transmissions/ba-2023-1/data"),
    ("GET", "/api/v1/transmissions/ba-2023-1/data"),
    ("POST", "/api/v1/transmissions/ba-2023-1/forward"),
    ("POST", "/api/v1/transmissions/ba-2023-1/acknowledgements"),
    ("GET", "/api/v1/transmissions/ba-2023-1/versions"),
    ("GET", "/api/v1/transmissions/ba-2023-1/versions/1"),
];

async fn assert_unauthenticated(app: &TestApp, token: Option<&str>, expect_detail: &str) {
    for (method, path) in PROTECTED {
        let mut rb = app.request(method.parse().unwrap(), path, token);
        if *method != "GET" {
            rb = rb.header("If-Match", "\"1\"").json(&json!({}));
        }
        let res = rb.send().await.unwrap();
        let challenge = res
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "{method} {path}: {challenge}"
        );
        let p = problem(res, 401).await;
        assert!(
            p["detail"].as_str().unwrap().contains(expect_detail),
            "{method} {path}: {p}"
        );
    }
}

async fn every_protected_endpoint_refuses_a_missing_token(app: TestApp) {
    assert_unauthenticated(&app, None, "needs a bearer token").await;
    let res = app
        .request(reqwest::Method::GET, "/api/v1/traeger", None)
        .header("Authorization", "Basic aG1zaTpobXNp")
        .send()
        .await
        .unwrap();
    problem(res, 401).await;
}

async fn malformed_and_forged_tokens_are_refused(app: TestApp) {
    assert_unauthenticated(&app, Some("not-a-jwt"), "not a JWT").await;

    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &app.claims("hmsi", None, "read write"),
        &EncodingKey::from_secret(b"someone-elses-secret-of-sufficient-length"),
    )
    .unwrap();
    assert_unauthenticated(&app, Some(&forged), "signature").await;

    // The same claims with HS384: the algorithm is pinned, never taken from the token.
    let other_alg = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &app.claims("hmsi", None, "read write"),
        &EncodingKey::from_secret(common::SECRET.as_bytes()),
    )
    .unwrap();
    assert_unauthenticated(&app, Some(&other_alg), "algorithm").await;

    let mut tampered = app.traeger("06633");
    // Swap the payload for one that claims HMSI, keeping the Träger's signature.
    let parts: Vec<&str> = tampered.split('.').collect();
    let hmsi = app.hmsi();
    let hmsi_payload = hmsi.split('.').nth(1).unwrap();
    tampered = format!("{}.{}.{}", parts[0], hmsi_payload, parts[2]);
    assert_unauthenticated(&app, Some(&tampered), "signature").await;

    let unknown_kid = {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("who-knows".into());
        jsonwebtoken::encode(
            &h,
            &app.claims("hmsi", None, "read"),
            &EncodingKey::from_secret(common::SECRET.as_bytes()),
        )
        .unwrap()
    };
    assert_unauthenticated(&app, Some(&unknown_kid), "unknown").await;
}

async fn expired_tokens_are_refused(app: TestApp) {
    let mut claims = app.claims("hmsi", None, "read write");
    claims.exp = chrono::Utc::now().timestamp() - 3600;
    assert_unauthenticated(&app, Some(&app.sign(claims)), "expired").await;
}

/// Signs `claims` with the shared secret as they are, whatever they hold.
fn signed(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(common::SECRET.as_bytes()),
    )
    .unwrap()
}

async fn tokens_from_the_future_or_without_expiry_are_refused(app: TestApp) {
    let now = chrono::Utc::now().timestamp();
    let claims = || serde_json::to_value(app.claims("hmsi", None, "read write")).unwrap();
    // Within the 30 s of leeway a clock may be off, a token is good.
    let mut skewed = claims();
    skewed["nbf"] = json!(now + 20);
    skewed["iat"] = json!(now + 20);
    json(
        app.get("/api/v1/traeger", Some(&signed(&skewed))).await,
        200,
    )
    .await;

    let mut not_yet = claims();
    not_yet["nbf"] = json!(now + 3600);
    assert_unauthenticated(&app, Some(&signed(&not_yet)), "not valid yet").await;
    let mut issued_later = claims();
    issued_later["iat"] = json!(now + 10 * 365 * 24 * 3600);
    assert_unauthenticated(&app, Some(&signed(&issued_later)), "`iat`").await;
    let mut forever = claims();
    forever.as_object_mut().unwrap().remove("exp");
    assert_unauthenticated(&app, Some(&signed(&forever)), "token").await;
    let mut control = claims();
    control["sub"] = json!("referat\u{0}iii");
    assert_unauthenticated(&app, Some(&signed(&control)), "`sub`").await;
}

async fn unknown_roles_and_unbound_tokens_are_refused(app: TestApp) {
    let admin = app.sign(app.claims("admin", None, "read write"));
    assert_unauthenticated(&app, Some(&admin), "unknown role").await;
    let system = app.sign(app.claims("system", None, "read write"));
    assert_unauthenticated(&app, Some(&system), "unknown role").await;
    let unbound = app.sign(app.claims("traeger", None, "read write"));
    assert_unauthenticated(&app, Some(&unbound), "`traeger`").await;
    let mut no_jobcenter = app.claims("jobcenter", Some("06633"), "read");
    no_jobcenter.jobcenter = None;
    assert_unauthenticated(&app, Some(&app.sign(no_jobcenter)), "`jobcenter`").await;
    let bad_ags = app.sign(app.claims("traeger", Some("09162"), "read"));
    assert_unauthenticated(&app, Some(&bad_ags), "Hessian").await;
}

// Issuer, audience and public keys are settings of the service; these run on SQLite only,
// the database plays no part in them.

#[actix_web::test]
async fn issuer_and_audience_are_enforced_when_configured() {
    let app = TestApp::sqlite_with(|s| {
        s.jwt_issuer = Some("https://idp.hessen.example".into());
        s.jwt_audience = Some("zv-monitor".into());
    })
    .await;
    // The test signer fills in the configured iss and aud.
    json(app.get("/api/v1/traeger", Some(&app.hmsi())).await, 200).await;

    let mut wrong_iss = app.claims("hmsi", None, "read");
    wrong_iss.iss = Some("https://evil.example".into());
    assert_unauthenticated(&app, Some(&app.sign(wrong_iss)), "issuer").await;
    let mut wrong_aud = app.claims("hmsi", None, "read");
    wrong_aud.aud = Some("another-service".into());
    assert_unauthenticated(&app, Some(&app.sign(wrong_aud)), "audience").await;
}

fn ed25519_token(kid: &str, claims: &zv_monitor::auth::jwt::Claims) -> String {
    let pem = include_bytes!("fixtures/ed25519-private.pem");
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_pem(pem).unwrap()).unwrap()
}

#[actix_web::test]
async fn jwks_keys_are_selected_by_kid_and_pinned_to_their_algorithm() {
    let jwks =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwks.json");
    let app = TestApp::sqlite_with(|s| s.jwks_file = Some(jwks)).await;
    let claims = app.claims("traeger", Some("06633"), "read");
    let token = ed25519_token("test-ed25519", &claims);
    let page = json(app.get("/api/v1/traeger", Some(&token)).await, 200).await;
    assert_eq!(page["items"][0]["ags"], "06633");

    assert_unauthenticated(
        &app,
        Some(&ed25519_token("rotated-away", &claims)),
        "unknown",
    )
    .await;

    // An HS256 token that names the public key's kid: the classic algorithm confusion.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-ed25519".into());
    let confused = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_secret(include_bytes!("fixtures/jwks.json")),
    )
    .unwrap();
    assert_unauthenticated(&app, Some(&confused), "algorithm").await;
}

#[actix_web::test]
async fn a_bad_jwks_file_stops_the_start() {
    let dir = std::env::temp_dir().join(format!("zv-jwks-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let no_alg = dir.join("no-alg.json");
    std::fs::write(
        &no_alg,
        r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"7tS1QcZBz0sJLGpZvjDvy6gVZsSKlsQLJZM0ewAiOko"}]}"#,
    )
    .unwrap();
    let mut s = common::settings(&dir.join("db.sqlite3").display().to_string());
    s.jwks_file = Some(no_alg);
    let err = zv_monitor::Application::build(s)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("no `alg`"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
