//! A reverse proxy as a deployment puts one before its replicas, reduced to round-robin: each
//! request goes to the next replica in turn, with `X-Forwarded-For` appended, and the test can
//! see how many each one answered.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// Headers of one hop only (RFC 9110 § 7.6.1), and those the client recomputes.
const HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

struct State {
    upstreams: Vec<String>,
    next: AtomicUsize,
    answered: Vec<AtomicUsize>,
    client: reqwest::Client,
}

pub struct Balancer {
    pub url: String,
    state: Arc<State>,
    handle: ServerHandle,
}

async fn forward(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let turn = state.next.fetch_add(1, Ordering::SeqCst) % state.upstreams.len();
    let url = format!("{}{}", state.upstreams[turn], req.uri());
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
    let mut call = state.client.request(method, url).body(body);
    for (name, value) in req.headers() {
        if !HOP.contains(&name.as_str()) {
            call = call.header(name.as_str(), value.as_bytes());
        }
    }
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let forwarded = match req.headers().get("x-forwarded-for") {
        Some(v) => format!("{}, {peer}", v.to_str().unwrap_or_default()),
        None => peer,
    };
    call = call.header("x-forwarded-for", forwarded);
    let Ok(res) = call.send().await else {
        return HttpResponse::BadGateway().finish();
    };
    state.answered[turn].fetch_add(1, Ordering::SeqCst);
    let mut answer = HttpResponse::build(StatusCode::from_u16(res.status().as_u16()).unwrap());
    for (name, value) in res.headers() {
        if !HOP.contains(&name.as_str()) {
            answer.append_header((name.as_str(), value.as_bytes()));
        }
    }
    answer.body(res.bytes().await.unwrap_or_default())
}

impl Balancer {
    /// Listens on a free port of 127.0.0.1 before these replicas (their base URLs).
    pub fn start(upstreams: Vec<String>) -> Balancer {
        let state = Arc::new(State {
            answered: upstreams.iter().map(|_| AtomicUsize::new(0)).collect(),
            upstreams,
            next: AtomicUsize::new(0),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(64 << 20))
                .default_service(web::to(forward))
        })
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
        let handle = super::in_background(server);
        Balancer { url, state, handle }
    }

    /// How many requests each replica answered, in the order given.
    pub fn answered(&self) -> Vec<usize> {
        self.state
            .answered
            .iter()
            .map(|n| n.load(Ordering::SeqCst))
            .collect()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
