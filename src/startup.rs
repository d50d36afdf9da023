//! Builds the running service from settings; used by `main` and by the tests alike.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::api::limits::Limits;
use crate::api::{self, fallback, metrics::Metrics, upload::UploadLimit};
use crate::app::webhooks::WebhookPolicy;
use crate::app::{Clock, Services};
use crate::auth::jwt::Verifier;
use crate::auth::keys;
use crate::background;
use crate::config::Settings;
use crate::store::{Db, pool};
use crate::telemetry::{self, RequestSpan};

/// What start-up did, for the banner.
#[derive(Debug, Clone)]
pub struct StartupReport {
    pub migrations_applied: usize,
    pub loaded: crate::app::reference::Loaded,
}

pub struct Application {
    server: Server,
    address: SocketAddr,
    report: StartupReport,
}

/// Opens the pool, applies pending migrations and loads missing reference data; with
/// `ZV_MIGRATE_ON_START=false` only opens the pool (a migration job does the rest, and the
/// replica is not ready until it has).
pub async fn prepare_database(settings: &Settings) -> anyhow::Result<(Services, StartupReport)> {
    let backend = settings.backend();
    let url = settings.database_url.clone();
    let migrations_applied = if settings.migrate_on_start {
        actix_web::rt::task::spawn_blocking(move || pool::migrate(&url))
            .await?
            .map_err(|e| anyhow::anyhow!("cannot migrate the {} database: {e}", backend.name()))?
    } else {
        0
    };
    let pool = pool::build_pool(
        &settings.database_url,
        settings.db_pool_size,
        settings.db_timeout,
    )
    .map_err(|e| anyhow::anyhow!("cannot open the {} database: {e}", backend.name()))?;
    let db = Db::new(pool, backend);
    let policy = WebhookPolicy {
        allow_private: settings.webhook_allow_private,
        schedule: settings.webhook_schedule.0.clone().into(),
        timeout: settings.webhook_timeout,
    };
    let services = Services::new(db, Clock::new(settings.today)).with_webhooks(policy);
    let loaded = if settings.migrate_on_start {
        crate::app::reference::load(&services).await?
    } else {
        crate::app::reference::Loaded::default()
    };
    Ok((
        services,
        StartupReport {
            migrations_applied,
            loaded,
        },
    ))
}

/// How tokens are verified: the shared secret, and the identity provider's keys loaded once
/// before the first request, with the task that keeps them fresh started beside the service.
async fn identity(settings: &Settings, metrics: &Metrics) -> anyhow::Result<Verifier> {
    let verifier = settings.verifier()?;
    let Some(source) = settings.key_source()? else {
        return Ok(verifier);
    };
    if settings.jwt_secret.is_some() {
        tracing::warn!(
            "ZV_JWT_SECRET is set beside the identity provider's keys: development tokens signed \
             with it are accepted too; unset it in production"
        );
    }
    let (keys, refresher) = keys::live::start(source, settings.refresh_policy()).await?;
    metrics.register(keys.collectors())?;
    actix_web::rt::spawn(refresher.run());
    Ok(verifier.with_keys(keys))
}

fn bind(at: SocketAddr) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener =
        TcpListener::bind(at).map_err(|e| anyhow::anyhow!("cannot listen on {at}: {e}"))?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}

/// The replica's limits per caller, with the task that forgets callers gone quiet.
fn limits(settings: &Settings, metrics: &Metrics) -> anyhow::Result<web::Data<Limits>> {
    let limits = Arc::new(Limits::new(settings.limits())?);
    metrics.register(limits.collectors())?;
    actix_web::rt::spawn(limits.clone().sweep());
    Ok(web::Data::from(limits))
}

/// The contract as the replica serves it and routes by it, built once; what building it took
/// is let go at once.
fn contract() -> anyhow::Result<(web::Data<fallback::RouteTable>, api::docs::ServedSpec)> {
    let spec = api::openapi();
    let route_table = web::Data::new(fallback::RouteTable::from_spec(&spec));
    let served_spec = api::docs::ServedSpec::new(&spec)?;
    drop(spec);
    crate::memory::release_freed_memory();
    Ok((route_table, served_spec))
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let metrics = web::Data::new(Metrics::new(settings.backend().name())?);
        let verifier = web::Data::new(identity(&settings, &metrics).await?);
        // Each phase of the start (the database's, the contract's, each worker's routes) lets
        // go of what it touched once: the replica's peak is its largest phase, not their sum.
        let (services, report) = prepare_database(&settings).await?;
        crate::memory::release_freed_memory();
        let (listener, address) = bind(settings.listen)?;
        let limits = limits(&settings, &metrics)?;
        let (route_table, served_spec) = contract()?;
        // After the contract: the deadline job's first run reads what is due.
        background::start(&services, &settings, &metrics)?;
        let services = web::Data::new(services);
        let upload_limit = web::Data::new(UploadLimit(
            usize::try_from(settings.max_upload_bytes).unwrap_or(usize::MAX),
        ));
        let body_limit = usize::try_from(settings.max_body_bytes).unwrap_or(usize::MAX);

        let mut server = HttpServer::new(move || {
            let (app, _) = api::routes(App::new()).split_for_parts();
            crate::memory::release_freed_memory();
            app.app_data(services.clone())
                .app_data(upload_limit.clone())
                .app_data(verifier.clone())
                .app_data(limits.clone())
                .app_data(metrics.clone())
                .app_data(route_table.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(body_limit)
                        .error_handler(fallback::json_error),
                )
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::QueryConfig::default().error_handler(fallback::query_error))
                .app_data(web::PathConfig::default().error_handler(fallback::path_error))
                .service(web::redirect("/swagger-ui", "/swagger-ui/"))
                .configure(|config| served_spec.register(config))
                .default_service(web::to(fallback::no_route))
                .wrap(from_fn(api::edge::conditional_reads))
                .wrap(from_fn(api::edge::problems_only))
                .wrap(from_fn(api::limits::throttle))
                .wrap(from_fn(api::edge::guard_query))
                .wrap(from_fn(api::edge::problems_in_german))
                .wrap(from_fn(api::edge::careful_headers))
                .wrap(from_fn(api::metrics::record))
                .wrap(TracingLogger::<RequestSpan>::new())
                .wrap(from_fn(telemetry::assign_request_id))
        })
        .listen(listener)?
        // SIGTERM / Ctrl-C: stop accepting, give in-flight requests this long to finish.
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            server: server.run(),
            address,
            report,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn report(&self) -> &StartupReport {
        &self.report
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
