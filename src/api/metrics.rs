//! `GET /metrics`: Prometheus text format, per replica.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, get, web};
use prometheus::core::Collector;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::app::{Services, health, webhooks};

pub const TAG: &str = "operations";

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_in_use: IntGauge,
    pool_idle: IntGauge,
    webhook_outcomes: IntCounterVec,
    webhook_queue: IntGauge,
    webhook_oldest: IntGauge,
}

/// The webhook attempts by outcome, the queue's depth and the age of its oldest delivery.
fn webhook_metrics(
    registry: &Registry,
) -> Result<(IntCounterVec, IntGauge, IntGauge), prometheus::Error> {
    let webhook_outcomes = IntCounterVec::new(
        Opts::new(
            "zv_webhook_deliveries_total",
            "Webhook attempts made by this replica, by outcome: delivered, retry, failed, gone",
        ),
        &["outcome"],
    )?;
    let webhook_queue = IntGauge::new(
        "zv_webhook_queue_depth",
        "Webhook deliveries waiting to be delivered (all replicas)",
    )?;
    let webhook_oldest = IntGauge::new(
        "zv_webhook_oldest_pending_seconds",
        "Age of the oldest webhook delivery still waiting, 0 when none waits",
    )?;
    registry.register(Box::new(webhook_outcomes.clone()))?;
    registry.register(Box::new(webhook_queue.clone()))?;
    registry.register(Box::new(webhook_oldest.clone()))?;
    Ok((webhook_outcomes, webhook_queue, webhook_oldest))
}

impl Metrics {
    pub fn new(backend: &str) -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let labels = &["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route template and status",
            ),
            labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route template and status",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            labels,
        )?;
        let pool_in_use = IntGauge::new("db_pool_connections_in_use", "Connections lent out")?;
        let pool_idle = IntGauge::new("db_pool_connections_idle", "Idle connections in the pool")?;
        let build_info = IntGaugeVec::new(
            Opts::new(
                "zv_monitor_build_info",
                "Version and database backend of this replica",
            ),
            &["version", "backend"],
        )?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), backend])
            .set(1);
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_in_use.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(build_info))?;
        let (webhook_outcomes, webhook_queue, webhook_oldest) = webhook_metrics(&registry)?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool_in_use,
            pool_idle,
            webhook_outcomes,
            webhook_queue,
            webhook_oldest,
        })
    }

    /// Adds the collectors of another part of the service (the identity provider's keys).
    pub fn register(&self, collectors: Vec<Box<dyn Collector>>) -> Result<(), prometheus::Error> {
        collectors
            .into_iter()
            .try_for_each(|c| self.registry.register(c))
    }

    /// The counter the webhook workers count their attempts in.
    pub fn webhook_outcomes(&self) -> &IntCounterVec {
        &self.webhook_outcomes
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }
}

/// Counts and times every request under its route template (never the raw path, so the
/// number of series stays bounded).
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let start = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.call(req).await?.map_into_boxed_body();
    if let Some(m) = metrics {
        m.observe(
            &method,
            &route,
            res.status().as_u16(),
            start.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// Metrics of this replica
///
/// Request counts and latency by route template and status, database pool use, build info,
/// webhook attempts by outcome, the webhook queue's depth and the age of its oldest delivery.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain; version=0.0.4",
        body = String, example = "http_requests_total{method=\"GET\",route=\"/api/v1/traeger\",status=\"200\"} 3"))
)]
#[get("/metrics")]
pub async fn render_metrics(
    metrics: web::Data<Metrics>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (in_use, idle) = health::pool_use(&services);
    metrics.pool_in_use.set(i64::from(in_use));
    metrics.pool_idle.set(i64::from(idle));
    // The queue is shared by the replicas: read from the database, so each replica tells the
    // same; when the database does not answer, the last values stay.
    if let Ok((depth, oldest)) = webhooks::delivery::backlog(&services).await {
        metrics.webhook_queue.set(depth);
        metrics
            .webhook_oldest
            .set(oldest.map_or(0, |age| age.num_seconds().max(0)));
    }
    let mut buf = Vec::new();
    let encoder = TextEncoder::new();
    match encoder.encode(&metrics.registry.gather(), &mut buf) {
        Ok(()) => HttpResponse::Ok()
            .content_type(encoder.format_type())
            .body(buf),
        Err(e) => {
            tracing::error!(error = %e, "metrics encoding failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}
