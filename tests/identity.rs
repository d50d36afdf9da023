//! Tokens as identity providers issue them, through HTTP on SQLite and PostgreSQL: Keycloak's
//! roles in `realm_access.roles` beside roles of its own, the AGS in a claim of the
//! deployment's choosing, scopes as a list in `scp`; RFC 9068 access tokens (`typ: at+jwt`);
//! a pinned token type refusing any other.

mod common;

use common::{TestApp, json, problem};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

on_both_backends!(
    mod keycloak with |s| {
        s.jwt_role_claim = "/realm_access/roles".into();
        s.jwt_traeger_claim = "/ags".into();
        s.jwt_scope_claim = "/scp".into();
    };
    claims_are_read_where_the_provider_puts_them,
);

on_both_backends!(
    mod access_tokens_only with |s| s.jwt_typ = Some("at+jwt".into());
    a_pinned_token_type_is_the_only_one_taken,
);

const KASSEL: &str = "/api/v1/agreements/zv-2023-06633-1";

/// `payload` signed with the test secret, its header naming `typ`.
fn token(typ: Option<&str>, payload: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        payload,
        &EncodingKey::from_secret(common::SECRET.as_bytes()),
    )
    .unwrap()
}

/// A Keycloak access token for a user of Landkreis Kassel with these realm roles and scopes.
fn keycloak(roles: &[&str], scp: &[&str], ags: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": "f3b1c2d4-kassel-user", "iat": now, "exp": now + 300,
        "typ": "Bearer", "azp": "zv-monitor",
        "realm_access": {"roles": roles}, "scp": scp,
        "ags": if ags.is_empty() { Value::Null } else { json!(ags) }
    })
}

async fn claims_are_read_where_the_provider_puts_them(app: TestApp) {
    let own = keycloak(
        &["offline_access", "traeger", "uma_authorization"],
        &["read"],
        "06633",
    );
    let res = app.get(KASSEL, Some(&token(Some("at+jwt"), &own))).await;
    assert_eq!(json(res, 200).await["traeger"], "06633");
    // The Träger is the token's: another's agreement is not there for it.
    let other = keycloak(&["traeger"], &["read"], "06611");
    problem(app.get(KASSEL, Some(&token(None, &other))).await, 404).await;
    // HMSI reads every Träger's; the scope list decides what it may do.
    let hmsi = keycloak(&["hmsi"], &["read", "write"], "");
    json(app.get(KASSEL, Some(&token(Some("JWT"), &hmsi))).await, 200).await;
    let write_only = keycloak(&["hmsi"], &["write"], "");
    problem(app.get(KASSEL, Some(&token(None, &write_only))).await, 403).await;
    // Roles of the provider's own only, or the role where the service's own tokens put it.
    let none = keycloak(&["offline_access"], &["read"], "06633");
    let refused = problem(app.get(KASSEL, Some(&token(None, &none))).await, 401).await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("/realm_access/roles"),
        "{refused}"
    );
    problem(app.get(KASSEL, Some(&app.hmsi())).await, 401).await;
    // A type this service does not take.
    let dpop = problem(
        app.get(KASSEL, Some(&token(Some("dpop+jwt"), &own))).await,
        401,
    )
    .await;
    assert!(dpop["detail"].as_str().unwrap().contains("type"), "{dpop}");
}

async fn a_pinned_token_type_is_the_only_one_taken(app: TestApp) {
    let claims = serde_json::to_value(app.claims("hmsi", None, "read")).unwrap();
    json(
        app.get(KASSEL, Some(&token(Some("at+jwt"), &claims))).await,
        200,
    )
    .await;
    json(
        app.get(KASSEL, Some(&token(Some("application/at+jwt"), &claims)))
            .await,
        200,
    )
    .await;
    for typ in [Some("JWT"), None] {
        let refused = problem(app.get(KASSEL, Some(&token(typ, &claims))).await, 401).await;
        assert!(
            refused["detail"].as_str().unwrap().contains("type"),
            "{refused}"
        );
    }
}
