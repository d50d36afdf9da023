//! Spawns the real service on a random port against a fresh database: a SQLite file in its
//! own directory, or a PostgreSQL database created for the test and dropped after it.
#![allow(dead_code)]

pub mod balancer;
pub mod binary;
pub mod contract;
pub mod idp;
pub mod kennzahlen;
pub mod receiver;
pub mod seed;
pub mod workbooks;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use reqwest::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde_json::Value;
use zv_monitor::api::limits::{RateLimit, TrustedProxies};
use zv_monitor::auth::jwt::{Claims, Signer};
use zv_monitor::config::{LogFormat, Secret};
use zv_monitor::store::Backend;
use zv_monitor::{Application, Settings};

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL. The form
/// `mod NAME with TWEAK; tests…` starts those apps with settings changed by `TWEAK`.
#[macro_export]
macro_rules! on_both_backends {
    (mod $module:ident with $tweak:expr; $($name:ident),+ $(,)?) => {
        mod $module {
            mod sqlite {
                $(
                    #[actix_web::test]
                    async fn $name() {
                        let app = $crate::common::TestApp::sqlite_with($tweak).await;
                        super::super::$name(app).await;
                    }
                )+
            }
            mod postgres {
                $(
                    #[actix_web::test]
                    async fn $name() {
                        if let Some(app) = $crate::common::TestApp::postgres_with($tweak).await {
                            super::super::$name(app).await;
                        }
                    }
                )+
            }
        }
    };
    ($($name:ident),+ $(,)?) => {
        $crate::on_both_backends!(mod on with |_| {}; $($name),+);
    };
}

/// Runs a server of the test's own (a webhook receiver, an identity provider, a proxy) beside
/// the test; its handle stops it.
pub fn in_background(server: actix_web::dev::Server) -> ServerHandle {
    let handle = server.handle();
    actix_web::rt::spawn(server);
    handle
}

/// Writes past the test harness's output capture, so the note shows in every run.
fn notice(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

pub fn postgres_admin_url() -> String {
    std::env::var("ZV_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
}

fn postgres_required() -> bool {
    std::env::var("ZV_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    let _ =
                        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub database_url: String,
    pub client: reqwest::Client,
    signer: Signer,
    handle: ServerHandle,
    db: TestDb,
}

pub fn settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        jwt_secret: Some(Secret::new(SECRET).unwrap()),
        jwt_issuer: None,
        jwt_audience: None,
        jwks_file: None,
        jwks_url: None,
        jwt_discovery: false,
        jwks_cache_min: Duration::from_secs(300),
        jwks_cache_max: Duration::from_secs(86_400),
        jwks_refetch_interval: Duration::from_secs(30),
        jwt_role_claim: "/role".into(),
        jwt_traeger_claim: "/traeger".into(),
        jwt_scope_claim: "/scope".into(),
        jwt_typ: None,
        log_format: LogFormat::Pretty,
        max_body_bytes: 64 * 1024,
        max_upload_bytes: 12 * 1024 * 1024,
        migrate_on_start: true,
        db_pool_size: 4,
        db_timeout: Duration::from_secs(2),
        shutdown_timeout: Duration::from_secs(5),
        workers: Some(2),
        rate_limit_per_token: RateLimit::parse("6000/min").unwrap(),
        rate_limit_per_address: RateLimit::parse("12000/min").unwrap(),
        exports_per_token: 2,
        trusted_proxies: TrustedProxies::default(),
        today: None,
        deadline_interval: Duration::from_millis(200),
        webhook_workers: 2,
        webhook_allow_private: true,
        webhook_schedule: zv_monitor::config::Schedule(vec![Duration::from_millis(100); 7]),
        webhook_poll_interval: Duration::from_millis(50),
        webhook_timeout: Duration::from_secs(5),
    }
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(|_| {}).await
    }

    pub async fn sqlite_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = std::env::temp_dir().join(format!("zv-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = dir.join("zv.sqlite3").display().to_string();
        Self::start(url, Backend::Sqlite, TestDb::Sqlite(dir), tweak).await
    }

    /// None when PostgreSQL is not reachable and not required.
    pub async fn postgres() -> Option<TestApp> {
        Self::postgres_with(|_| {}).await
    }

    pub async fn postgres_with(tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        static ANNOUNCE: Once = Once::new();
        let admin_url = postgres_admin_url();
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(c) => c,
            Err(e) if postgres_required() => {
                panic!("ZV_REQUIRE_POSTGRES=1 but PostgreSQL at {admin_url} is not reachable: {e}")
            }
            Err(_) => {
                ANNOUNCE.call_once(|| {
                    notice(&format!(
                        "zv-monitor tests: PostgreSQL at {admin_url} is not reachable: the PostgreSQL \
                         variants PASS WITHOUT RUNNING (set ZV_REQUIRE_POSTGRES=1 to fail instead)"
                    ))
                });
                return None;
            }
        };
        ANNOUNCE.call_once(|| {
            notice(&format!(
                "zv-monitor tests: running on SQLite and on PostgreSQL at {admin_url}"
            ))
        });
        let name = format!("zv_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        let db = TestDb::Postgres { admin_url, name };
        Some(Self::start(url, Backend::Postgres, db, tweak).await)
    }

    async fn start(
        url: String,
        backend: Backend,
        db: TestDb,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let mut s = settings(&url);
        tweak(&mut s);
        let signer = Signer::new(
            SECRET.as_bytes(),
            s.jwt_issuer.clone(),
            s.jwt_audience.clone(),
        );
        let app = Application::build(s).await.expect("the service starts");
        let base = format!("http://{}", app.address());
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            base,
            backend,
            database_url: url,
            // Idle connections are dropped before the service's keep-alive (5 s) would close
            // them under a request (a test that waits on a command between two calls).
            client: reqwest::Client::builder()
                .pool_idle_timeout(std::time::Duration::from_secs(3))
                .build()
                .unwrap(),
            signer,
            handle,
            db,
        }
    }

    /// Runs SQL directly against the test database, as an operator (or an attacker) could.
    pub fn sql(&self, statements: &str) -> Result<(), String> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.database_url)
                .map_err(|e| e.to_string())?
                .batch_execute(statements)
                .map_err(|e| e.to_string()),
            Backend::Sqlite => SqliteConnection::establish(&self.database_url)
                .map_err(|e| e.to_string())?
                .batch_execute(statements)
                .map_err(|e| e.to_string()),
        }
    }

    /// `path` as a poller asks it again: with the ETag it was answered with.
    pub async fn get_if_none_match(&self, path: &str, token: &str, etag: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap()
    }

    /// A poller of `path`: answered 304 while nothing changes, then, once `change` (SQL around
    /// the service) is seen, a new answer with another ETag, which is returned.
    pub async fn polled_until_changed(&self, path: &str, token: &str, change: &str) -> Response {
        let first = self.get(path, Some(token)).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let poll = || self.get_if_none_match(path, token, &etag);
        assert_eq!(poll().await.status(), 304);
        assert_eq!(poll().await.status(), 304);
        self.sql(change).unwrap();
        let changed = self.once_seen(poll, |r| r.status() != 304).await;
        assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
        changed
    }

    /// The one number `query` (a SELECT of one value) answers, asked directly of the database.
    pub fn count(&self, query: &str) -> i64 {
        use diesel::RunQueryDsl;
        use diesel::dsl::sql;
        use diesel::sql_types::BigInt;
        let select = diesel::select(sql::<BigInt>(&format!("({query})")));
        match self.backend {
            Backend::Postgres => {
                select.get_result(&mut PgConnection::establish(&self.database_url).unwrap())
            }
            Backend::Sqlite => {
                select.get_result(&mut SqliteConnection::establish(&self.database_url).unwrap())
            }
        }
        .unwrap()
    }

    /// What `read` answers once `shows` holds. A write around the service (by SQL, another
    /// replica) is seen by the very next read on SQLite; on PostgreSQL the service learns of it
    /// from the database's notification, a moment after the commit, so there the read is asked
    /// again for up to 5 s. The caller asserts on the answer.
    pub async fn once_seen<T, Fut>(
        &self,
        mut read: impl FnMut() -> Fut,
        shows: impl Fn(&T) -> bool,
    ) -> T
    where
        Fut: std::future::Future<Output = T>,
    {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let answer = read().await;
            if shows(&answer)
                || self.backend == Backend::Sqlite
                || std::time::Instant::now() > deadline
            {
                return answer;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Drops the database under the running service (PostgreSQL only).
    pub fn kill_database(&self) {
        if let TestDb::Postgres { admin_url, name } = &self.db {
            let mut conn = PgConnection::establish(admin_url).unwrap();
            conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .unwrap();
        }
    }

    pub fn claims(&self, role: &str, traeger: Option<&str>, scope: &str) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: format!("test-{role}"),
            role: role.to_owned(),
            traeger: traeger.map(str::to_owned),
            jobcenter: (role == "jobcenter").then(|| format!("jc-{}", traeger.unwrap_or(""))),
            scope: scope.to_owned(),
            iss: None,
            aud: None,
            exp: now + 600,
            iat: now,
        }
    }

    pub fn sign(&self, claims: Claims) -> String {
        self.signer.sign(claims).unwrap()
    }

    /// HMSI with read and write.
    pub fn hmsi(&self) -> String {
        self.sign(self.claims("hmsi", None, "read write"))
    }

    /// HMSI read-only, like the data warehouse.
    pub fn hmsi_read_only(&self) -> String {
        self.sign(self.claims("hmsi", None, "read"))
    }

    pub fn traeger(&self, ags: &str) -> String {
        self.sign(self.claims("traeger", Some(ags), "read write"))
    }

    pub fn jobcenter(&self, ags: &str) -> String {
        self.sign(self.claims("jobcenter", Some(ags), "read"))
    }

    /// A request whose response is held to the contract when it arrives.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> Call {
        let rb = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        let inner = match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        };
        Call {
            inner,
            method,
            path: path.split('?').next().unwrap_or(path).to_owned(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(
        &self,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut rb = self.request(Method::PUT, path, token).json(body);
        if let Some(tag) = if_match {
            rb = rb.header("If-Match", tag);
        }
        rb.send().await.unwrap()
    }

    pub async fn delete(
        &self,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
    ) -> Response {
        let mut rb = self.request(Method::DELETE, path, token);
        if let Some(tag) = if_match {
            rb = rb.header("If-Match", tag);
        }
        rb.send().await.unwrap()
    }
}

/// A request under way; `send` checks the response against the contract (see
/// [`contract`]) and hands it on as it came.
pub struct Call {
    inner: RequestBuilder,
    method: Method,
    path: String,
}

/// The URL a checked response came from (reqwest forgets it when a response is rebuilt).
#[derive(Debug, Clone)]
pub struct RequestedUrl(pub String);

impl Call {
    pub fn header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        self.inner = self.inner.header(name, value.as_ref());
        self
    }

    pub fn body(mut self, body: impl Into<reqwest::Body>) -> Self {
        self.inner = self.inner.body(body);
        self
    }

    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.inner = self.inner.json(body);
        self
    }

    /// Sends the request; a response that breaks the contract fails the test.
    pub async fn send(self) -> reqwest::Result<Response> {
        let res = self.inner.send().await?;
        let url = res.url().to_string();
        let status = res.status();
        let version = res.version();
        let headers = res.headers().clone();
        let body = res.bytes().await?;
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
        if let Err(e) = contract::contract().check(
            self.method.as_str(),
            &self.path,
            status.as_u16(),
            content_type,
            &body,
        ) {
            panic!("the response breaks the contract: {e}");
        }
        let mut rebuilt = http::Response::builder()
            .status(status)
            .version(version)
            .extension(RequestedUrl(url));
        for (name, value) in &headers {
            rebuilt = rebuilt.header(name, value);
        }
        Ok(Response::from(
            rebuilt.body(body).expect("the parts of a response"),
        ))
    }
}

/// Where a response came from, for messages.
fn url_of(res: &Response) -> String {
    res.extensions()
        .get::<RequestedUrl>()
        .map_or_else(|| res.url().to_string(), |u| u.0.clone())
}

/// Asserts a problem+json response with `status` and returns its body.
pub async fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status of {}", url_of(&res));
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:zv-monitor:problem:")
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    assert_eq!(
        body["instance"].as_str(),
        request_id.as_deref(),
        "instance is the request id"
    );
    body
}

/// The JSON Pointers of a validation problem's `errors`, in order.
pub fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["pointer"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts status 200 (or `status`) and returns the JSON body.
pub async fn json(res: Response, status: u16) -> Value {
    let url = url_of(&res);
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "status of {url}: {text}");
    serde_json::from_str(&text).unwrap()
}
