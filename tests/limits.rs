//! How much one caller may ask (OWASP API4), through HTTP on SQLite and PostgreSQL: requests per
//! token and per client address answered 429 with `Retry-After` beyond their rate, a refused
//! write changing nothing, the client named by a trusted proxy, probes never counted, and
//! exports running at once per token bounded.

mod common;

use std::time::Duration;

use common::{TestApp, json, problem};
use reqwest::Method;
use serde_json::json;

on_both_backends!(
    mod per_token with |s| {
        s.rate_limit_per_token = zv_monitor::api::limits::RateLimit::parse("10/min").unwrap();
        s.rate_limit_per_address = zv_monitor::api::limits::RateLimit::parse("off").unwrap();
    };
    a_token_beyond_its_rate_is_refused_and_its_write_changes_nothing,
);

on_both_backends!(
    mod per_address with |s| {
        s.rate_limit_per_token = zv_monitor::api::limits::RateLimit::parse("off").unwrap();
        s.rate_limit_per_address = zv_monitor::api::limits::RateLimit::parse("4/min").unwrap();
    };
    an_address_beyond_its_rate_is_refused_whatever_the_token,
);

on_both_backends!(
    mod behind_a_proxy with |s| {
        s.rate_limit_per_address = zv_monitor::api::limits::RateLimit::parse("3/min").unwrap();
        s.trusted_proxies = zv_monitor::api::limits::TrustedProxies::parse("127.0.0.0/8").unwrap();
    };
    a_trusted_proxy_names_the_client,
);

const KASSEL: &str = "/api/v1/traeger/06633";

/// The seconds a refusal asks the caller to wait.
fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn status(app: &TestApp, path: &str, token: Option<&str>) -> u16 {
    app.get(path, token).await.status().as_u16()
}

async fn a_token_beyond_its_rate_is_refused_and_its_write_changes_nothing(app: TestApp) {
    let hmsi = app.hmsi();
    for _ in 0..10 {
        assert_eq!(status(&app, KASSEL, Some(&hmsi)).await, 200);
    }
    let res = app
        .request(Method::PUT, KASSEL, Some(&hmsi))
        .header("If-Match", "\"1\"")
        .json(
            &json!({"name": "Landkreis Kassel (umbenannt)", "kind": "landkreis",
            "jobcenter": {"id": "jc-06633", "name": "JC", "form": "ge"}}),
        )
        .send()
        .await
        .unwrap();
    let wait = retry_after(&res);
    assert!((1..=6).contains(&wait), "one more every 6 s: {wait}");
    let refused = problem(res, 429).await;
    assert_eq!(refused["type"], "urn:zv-monitor:problem:too-many-requests");
    assert_eq!(
        refused["detail"],
        "More than 10 requests per minute with this token."
    );
    // Another token has a count of its own; in German the refusal says so in German.
    let other = app.hmsi_read_only();
    assert_eq!(status(&app, KASSEL, Some(&other)).await, 200);
    let german = app
        .request(Method::GET, KASSEL, Some(&hmsi))
        .header("Accept-Language", "de")
        .send()
        .await
        .unwrap();
    let german = problem(german, 429).await;
    assert_eq!(german["title"], "Zu viele Anfragen");
    assert_eq!(
        german["detail"],
        "Mehr als 10 Anfragen pro Minute mit diesem Token."
    );

    actix_web::rt::time::sleep(Duration::from_secs(wait)).await;
    let kassel = json(app.get(KASSEL, Some(&hmsi)).await, 200).await;
    assert_eq!(
        kassel["name"], "Landkreis Kassel",
        "the refused write changed nothing"
    );
    let ledger = json(
        app.get("/api/v1/audit-events?actor=test-hmsi", Some(&other))
            .await,
        200,
    )
    .await;
    assert_eq!(ledger["items"].as_array().unwrap().len(), 0, "{ledger}");
}

async fn an_address_beyond_its_rate_is_refused_whatever_the_token(app: TestApp) {
    // Without a token, with a bad one, with a good one: all from 127.0.0.1.
    assert_eq!(status(&app, KASSEL, None).await, 401);
    assert_eq!(status(&app, KASSEL, Some("not-a-token")).await, 401);
    assert_eq!(status(&app, KASSEL, Some(&app.hmsi())).await, 200);
    // Counted however the path is written: the router decodes `%61` to `a`.
    assert_eq!(status(&app, "/%61pi/v1/traeger/06633", None).await, 401);
    let res = app.get(KASSEL, Some(&app.traeger("06633"))).await;
    let wait = retry_after(&res);
    assert!((10..=15).contains(&wait), "one more in 15 s: {wait}");
    let refused = problem(res, 429).await;
    assert_eq!(
        refused["detail"],
        "More than 4 requests per minute from your address."
    );
    // The orchestrator's probes, the metrics and the contract are never refused.
    for path in [
        "/health/live",
        "/health/ready",
        "/metrics",
        "/api-docs/openapi.json",
    ] {
        assert_eq!(status(&app, path, None).await, 200, "{path}");
    }
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("zv_limited_requests_total{limit=\"address\"} 1"),
        "{metrics}"
    );
}

async fn a_trusted_proxy_names_the_client(app: TestApp) {
    let hmsi = app.hmsi();
    let from = |client: &'static str| {
        app.request(Method::GET, KASSEL, Some(&hmsi))
            .header("X-Forwarded-For", client)
    };
    for _ in 0..3 {
        assert_eq!(from("203.0.113.7").send().await.unwrap().status(), 200);
    }
    problem(from("203.0.113.7").send().await.unwrap(), 429).await;
    // Another client behind the same proxy has its own count; a forged entry left of the
    // one the proxy appended changes nothing.
    assert_eq!(from("203.0.113.8").send().await.unwrap().status(), 200);
    problem(from("198.51.100.1, 203.0.113.7").send().await.unwrap(), 429).await;
}

on_both_backends!(
    mod one_export_at_a_time with |s| s.exports_per_token = 1;
    a_token_runs_no_more_exports_at_once_than_it_may,
);

/// An export asked for over a connection whose client reads its head and then nothing: a
/// receive buffer this small holds the export, of the demonstration year's size, on the way.
fn export_held(base: &str, token: &str) -> std::net::TcpStream {
    use std::io::{Read, Write};
    let address: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    socket.connect(&address.into()).unwrap();
    let mut stream: std::net::TcpStream = socket.into();
    write!(
        stream,
        "GET /api/v1/exports/facts?format=ndjson HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut head = [0; 256];
    let n = stream.read(&mut head).unwrap();
    assert!(
        head[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );
    stream
}

async fn a_token_runs_no_more_exports_at_once_than_it_may(app: TestApp) {
    let settings = common::settings(&app.database_url);
    let (services, _) = zv_monitor::startup::prepare_database(&settings)
        .await
        .unwrap();
    zv_monitor::app::demo::load(&services).await.unwrap();
    let warehouse = app.hmsi_read_only();
    let held = export_held(&app.base, &warehouse);

    let res = app
        .get("/api/v1/exports/facts?format=ndjson", Some(&warehouse))
        .await;
    assert_eq!(res.headers()["retry-after"], "5");
    let refused = problem(res, 429).await;
    assert_eq!(
        refused["detail"],
        "As many exports as this token may run at once (1) are running; retry when one has ended."
    );
    // Another token exports meanwhile, and other reads of the same token go on.
    let other = app
        .get("/api/v1/exports/facts?format=ndjson", Some(&app.hmsi()))
        .await;
    assert_eq!(other.status(), 200);
    assert!(other.text().await.unwrap().lines().count() > 500);
    assert_eq!(status(&app, KASSEL, Some(&warehouse)).await, 200);

    // The client goes away: its export ends, and the token may export again.
    drop(held);
    let start = std::time::Instant::now();
    loop {
        let res = app
            .get("/api/v1/exports/facts?year=2023", Some(&warehouse))
            .await;
        if res.status() == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the slot is free again"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}
