//! A webhook receiver as an integrator runs one: an HTTP server started by the test that keeps
//! every call and answers as the test tells it (fail the first attempts, go away, be slow).

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// One call as it arrived.
#[derive(Debug, Clone)]
pub struct Call {
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Call {
    pub fn id(&self) -> String {
        self.headers["webhook-id"].to_str().unwrap().to_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Whether the signature verifies with `secret`, checked by a Standard Webhooks library.
    pub fn verifies(&self, secret: &str) -> bool {
        let wh = standardwebhooks::Webhook::new(secret).unwrap();
        wh.verify(&self.body, &self.headers).is_ok()
    }
}

/// How the receiver answers the `n`-th call (from 1) with a webhook-id.
type Answer = dyn Fn(usize) -> u16 + Send + Sync;

struct State {
    calls: Mutex<Vec<Call>>,
    answer: Mutex<Arc<Answer>>,
    delay: Duration,
}

pub struct Receiver {
    pub url: String,
    state: Arc<State>,
    handle: ServerHandle,
}

async fn take(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let mut headers = http::HeaderMap::new();
    for (name, value) in req.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let call = Call {
        headers,
        body: body.to_vec(),
    };
    let id = call.id();
    let (n, answer) = {
        let mut calls = state.calls.lock().unwrap();
        calls.push(call);
        let n = calls.iter().filter(|c| c.id() == id).count();
        (n, state.answer.lock().unwrap().clone())
    };
    if !state.delay.is_zero() {
        actix_web::rt::time::sleep(state.delay).await;
    }
    let status = answer(n);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl Receiver {
    /// Listens on a free port of 127.0.0.1, answering by `answer`.
    pub fn start(answer: impl Fn(usize) -> u16 + Send + Sync + 'static) -> Receiver {
        Self::start_slow(answer, Duration::ZERO)
    }

    /// Like [`Self::start`], taking `delay` over each answer.
    pub fn start_slow(
        answer: impl Fn(usize) -> u16 + Send + Sync + 'static,
        delay: Duration,
    ) -> Receiver {
        let state = Arc::new(State {
            calls: Mutex::new(Vec::new()),
            answer: Mutex::new(Arc::new(answer)),
            delay,
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(take))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = super::in_background(server);
        Receiver { url, state, handle }
    }

    /// Answers by `answer` from now on.
    pub fn answer(&self, answer: impl Fn(usize) -> u16 + Send + Sync + 'static) {
        *self.state.answer.lock().unwrap() = Arc::new(answer);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }

    /// The webhook-ids received, each once.
    pub fn ids(&self) -> BTreeSet<String> {
        self.calls().iter().map(Call::id).collect()
    }

    /// How many calls came with each webhook-id.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for c in self.calls() {
            *counts.entry(c.id()).or_default() += 1;
        }
        counts
    }

    /// Waits (at most `within`) until `done` holds for the calls so far; whether it did.
    pub async fn until(&self, within: Duration, done: impl Fn(&[Call]) -> bool) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if done(&self.calls()) {
                return true;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        done(&self.calls())
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
