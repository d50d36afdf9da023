//! Sending webhooks: workers in every replica take due deliveries from the shared queue, sign
//! them (Standard Webhooks) and post them, and record what came back. The receiver's host is
//! resolved on every call and private addresses refused (unless allowed), so a name that
//! later points inside the network leads nowhere.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use prometheus::IntCounterVec;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::app::Services;
use crate::app::webhooks::delivery::{self, Job};
use crate::domain::webhook::address::{is_private, literal, refused};
use crate::domain::webhook::retry::{self, Answer, Verdict};
use crate::domain::webhook::signature;

/// The longest error text kept for an attempt.
const MAX_ERROR_CHARS: usize = 500;

/// Resolves receivers' names, keeping only addresses the service may call.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let first = found
                .first()
                .map(|a| a.ip().to_string())
                .unwrap_or_default();
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow || !is_private(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!("`{host}` {}", refused(&first)).into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// Posts signed deliveries.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            // A redirect could lead anywhere, past the address check: the receiver's URL is
            // the one it registered.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(PublicOnly { allow_private }))
            .user_agent(concat!(
                "zv-monitor/",
                env!("CARGO_PKG_VERSION"),
                " (webhooks)"
            ))
            .build()?;
        Ok(Self {
            client,
            allow_private,
        })
    }

    /// An address given literally in the URL is not resolved, so it is checked here.
    fn literal_refused(&self, url: &Url) -> Option<String> {
        let ip = literal(url)?;
        (!self.allow_private && is_private(ip)).then(|| refused(&ip.to_string()))
    }

    /// One attempt: what the receiver answered, or why it did not.
    pub async fn send(&self, job: &Job) -> Answer {
        let url = match Url::parse(&job.url) {
            Ok(url) => url,
            Err(e) => return Answer::Unreachable(format!("the URL is invalid: {e}")),
        };
        if let Some(why) = self.literal_refused(&url) {
            return Answer::Unreachable(why);
        }
        let timestamp = Utc::now().timestamp();
        let secrets = job.secrets.iter().map(String::as_str);
        let signature = signature::header(secrets, &job.event_id, timestamp, &job.body);
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &job.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(job.body.clone())
            .send()
            .await;
        match sent {
            Ok(res) => Answer::Status {
                code: res.status().as_u16(),
                retry_after: res
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry::retry_after(v, Utc::now())),
            },
            Err(e) => Answer::Unreachable(explain(&e)),
        }
    }
}

/// An error with its causes, as the subscriber reads it among the attempts.
fn explain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(MAX_ERROR_CHARS).collect()
}

fn outcome(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Delivered => "delivered",
        Verdict::RetryAt(_) => "retry",
        Verdict::Failed => "failed",
        Verdict::Gone => "gone",
    }
}

/// One worker: takes the delivery due first, sends it, records the answer; waits `poll` when
/// nothing is due.
pub async fn work(services: Services, sender: Sender, outcomes: IntCounterVec, poll: Duration) {
    loop {
        let job = match delivery::claim(&services).await {
            Ok(Some(job)) => job,
            Ok(None) => {
                actix_web::rt::time::sleep(poll).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim a webhook delivery; trying again");
                actix_web::rt::time::sleep(poll).await;
                continue;
            }
        };
        let started = Instant::now();
        let answer = sender.send(&job).await;
        let took = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (id, attempt) = (job.event_id.clone(), job.attempt);
        match delivery::finish(&services, job, answer, crate::app::now(), took).await {
            Ok(verdict) => {
                tracing::info!(event = %id, attempt, outcome = outcome(&verdict), "webhook attempt");
                outcomes.with_label_values(&[outcome(&verdict)]).inc();
            }
            // The lease runs out and the delivery is attempted again: at least once.
            Err(e) => tracing::warn!(event = %id, error = %e, "cannot record a webhook attempt"),
        }
    }
}
