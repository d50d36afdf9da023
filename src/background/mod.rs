//! The work a replica does besides answering requests: telling of deadlines and delivering
//! webhooks. Each job runs on its own timer; a failure is logged and the job tries again at its
//! next turn, so a database that went away costs a turn, not the job.

pub mod webhooks;

use std::time::Duration;

use crate::api::metrics::Metrics;
use crate::app::{Services, deadlines};
use crate::config::Settings;
use crate::store::Backend;

/// Starts the replica's jobs on the running actix system, and on PostgreSQL its listener for
/// the revisions (`store::listen`); `metrics` counts what they do.
pub fn start(services: &Services, settings: &Settings, metrics: &Metrics) -> anyhow::Result<()> {
    if services.db().backend() == Backend::Postgres {
        let listening = crate::store::listen::start(services.db(), &settings.database_url)?;
        metrics.register(vec![Box::new(listening)])?;
    }
    let outcomes = metrics.webhook_outcomes();
    let every = settings.deadline_interval;
    let s = services.clone();
    actix_web::rt::spawn(async move { repeat(every, "deadlines", move || tell(s.clone())).await });
    let sender = webhooks::Sender::new(settings.webhook_allow_private, settings.webhook_timeout)?;
    for _ in 0..settings.webhook_workers {
        let work = webhooks::work(
            services.clone(),
            sender.clone(),
            outcomes.clone(),
            settings.webhook_poll_interval,
        );
        actix_web::rt::spawn(work);
    }
    Ok(())
}

async fn tell(services: Services) -> Result<(), String> {
    let told = deadlines::tell(&services).await;
    // It reads the standing of every binding obligation and lets go of it at once.
    crate::memory::release_freed_memory();
    match told {
        Ok(0) => Ok(()),
        Ok(n) => {
            tracing::info!(events = n, "told of deadlines");
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `job` now and then every `every`, for as long as the system runs.
async fn repeat<F, Fut>(every: Duration, name: &'static str, job: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    loop {
        if let Err(e) = job().await {
            tracing::warn!(job = name, error = %e, "a background job failed; it runs again");
        }
        actix_web::rt::time::sleep(every).await;
    }
}
