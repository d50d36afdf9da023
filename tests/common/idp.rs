//! An identity provider as the Land runs one, reduced to what this service reads of it: an
//! OpenID Connect discovery document and a JWK set, started by the test, which rotates the keys,
//! goes down, comes back, and counts how often its keys were fetched.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A signing key of the provider: its `kid`, its private half, its public `x` (Ed25519).
#[derive(Clone, Copy)]
pub struct Key {
    pub kid: &'static str,
    pem: &'static [u8],
    x: &'static str,
}

/// The key of `tests/fixtures/jwks.json`.
pub const CURRENT: Key = Key {
    kid: "test-ed25519",
    pem: include_bytes!("../fixtures/ed25519-private.pem"),
    x: "7tS1QcZBz0sJLGpZvjDvy6gVZsSKlsQLJZM0ewAiOko",
};

/// The key the provider rotates to.
pub const NEXT: Key = Key {
    kid: "next-ed25519",
    pem: include_bytes!("../fixtures/ed25519-next-private.pem"),
    x: "OWrsmK437nQYc-k_7yt2U6P5mAe9Y0SAGYjIcXx4748",
};

impl Key {
    pub fn jwk(&self) -> Value {
        json!({"kty": "OKP", "crv": "Ed25519", "kid": self.kid, "alg": "EdDSA", "use": "sig", "x": self.x})
    }

    /// `claims` signed with this key, the header naming `kid`.
    pub fn sign(&self, kid: &str, claims: &impl serde::Serialize) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.to_owned());
        let key = EncodingKey::from_ed_pem(self.pem).unwrap();
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    /// `claims` signed with this key under its own `kid`.
    pub fn token(&self, claims: &impl serde::Serialize) -> String {
        self.sign(self.kid, claims)
    }
}

/// A JWK set of these keys.
pub fn jwks(keys: &[Key]) -> Value {
    json!({"keys": keys.iter().map(Key::jwk).collect::<Vec<_>>()})
}

struct State {
    issuer: String,
    /// The issuer the discovery document names; another one than `issuer` to test the check.
    names: Mutex<String>,
    jwks: Mutex<Value>,
    cache_control: Mutex<String>,
    down: AtomicBool,
    /// How long the JWK set takes to answer, in milliseconds.
    delay: AtomicU64,
    fetches: AtomicUsize,
    asked: AtomicUsize,
}

pub struct Provider {
    pub issuer: String,
    state: Arc<State>,
    handle: ServerHandle,
}

async fn discovery(state: web::Data<State>) -> HttpResponse {
    state.asked.fetch_add(1, Ordering::SeqCst);
    if state.down.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let names = state.names.lock().unwrap().clone();
    HttpResponse::Ok().json(json!({
        "issuer": names,
        "jwks_uri": format!("{}/protocol/openid-connect/certs", state.issuer),
        "id_token_signing_alg_values_supported": ["EdDSA"],
    }))
}

async fn certs(state: web::Data<State>) -> HttpResponse {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    state.asked.fetch_add(1, Ordering::SeqCst);
    let delay = state.delay.load(Ordering::SeqCst);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(delay)).await;
    if state.down.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let body = state.jwks.lock().unwrap().clone();
    let cache = state.cache_control.lock().unwrap().clone();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", cache))
        .json(body)
}

impl Provider {
    /// Listens on a free port of 127.0.0.1 with these keys, cached as `cache_control` says.
    pub fn start(keys: &[Key], cache_control: &str) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}/realms/hmsi", listener.local_addr().unwrap());
        let state = Arc::new(State {
            issuer: issuer.clone(),
            names: Mutex::new(issuer.clone()),
            jwks: Mutex::new(jwks(keys)),
            cache_control: Mutex::new(cache_control.to_owned()),
            down: AtomicBool::new(false),
            delay: AtomicU64::new(0),
            fetches: AtomicUsize::new(0),
            asked: AtomicUsize::new(0),
        });
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/realms/hmsi/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route(
                    "/realms/hmsi/protocol/openid-connect/certs",
                    web::get().to(certs),
                )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = super::in_background(server);
        Provider {
            issuer,
            state,
            handle,
        }
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/protocol/openid-connect/certs", self.issuer)
    }

    /// Publishes these keys from now on.
    pub fn publish(&self, keys: &[Key]) {
        *self.state.jwks.lock().unwrap() = jwks(keys);
    }

    /// The discovery document names this issuer from now on.
    pub fn name_issuer(&self, issuer: &str) {
        *self.state.names.lock().unwrap() = issuer.to_owned();
    }

    /// Takes this long over each answer of the JWK set from now on.
    pub fn slow(&self, delay: std::time::Duration) {
        self.state
            .delay
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Answers 503 to everything until `up`.
    pub fn down(&self) {
        self.state.down.store(true, Ordering::SeqCst);
    }

    pub fn up(&self) {
        self.state.down.store(false, Ordering::SeqCst);
    }

    /// How often anything was asked for, the discovery document or the JWK set.
    pub fn asked(&self) -> usize {
        self.state.asked.load(Ordering::SeqCst)
    }

    /// How often the JWK set was asked for, answered or not.
    pub fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
