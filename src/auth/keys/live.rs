//! The keys in force, and the one task per replica that refreshes them.
//!
//! Providers rotate keys without notice: a token signed with a new key may arrive before the
//! cached set has expired. Such a token (its `kid` unknown) asks the refresher for a fetch and
//! waits for it; fetches are at least `refetch` apart, however many such tokens arrive, so a
//! flood of made-up key ids cannot turn this service into a load on the provider. When a fetch
//! fails, the last good keys stay in force.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use prometheus::core::Collector;
use prometheus::{IntCounterVec, IntGauge, Opts};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use super::source::{FETCH_TIMEOUT, Fetcher, KeySource};
use super::{KeyError, KeySet};

/// How long a token with an unknown `kid` waits for the look it asked for: discovery and the
/// set's fetch, each at most `FETCH_TIMEOUT`.
const WAIT_FOR_FETCH: Duration = Duration::from_secs(2 * FETCH_TIMEOUT.as_secs() + 1);

/// How long keys are kept before they are fetched again.
#[derive(Debug, Clone, Copy)]
pub struct RefreshPolicy {
    /// The shortest caching, whatever the provider's `Cache-Control` says.
    pub min_ttl: Duration,
    /// The longest caching.
    pub max_ttl: Duration,
    /// The least time between two fetches; also how often a JWKS file is looked at.
    pub refetch: Duration,
}

impl RefreshPolicy {
    /// How long fetched keys are kept: the provider's `max-age` within the bounds, and never
    /// less than `refetch`, so that no setting makes the refresher fetch without pause.
    fn ttl(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.min_ttl)
            .clamp(self.min_ttl, self.max_ttl.max(self.min_ttl))
            .max(self.refetch)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Start,
    Schedule,
    UnknownKid,
}

impl Trigger {
    fn label(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Schedule => "schedule",
            Trigger::UnknownKid => "unknown_kid",
        }
    }
}

struct KeyMetrics {
    fetches: IntCounterVec,
    keys: IntGauge,
    last_success: IntGauge,
}

impl KeyMetrics {
    fn new() -> Result<Self, prometheus::Error> {
        Ok(KeyMetrics {
            fetches: IntCounterVec::new(
                Opts::new(
                    "zv_jwks_fetches_total",
                    "Looks at the identity provider's keys by trigger (start, schedule, \
                     unknown_kid) and outcome (updated, unchanged, failed)",
                ),
                &["trigger", "outcome"],
            )?,
            keys: IntGauge::new("zv_jwks_keys", "Keys in force from the JWK set")?,
            last_success: IntGauge::new(
                "zv_jwks_last_success_timestamp_seconds",
                "When the keys were last fetched or found unchanged (Unix time), 0 before",
            )?,
        })
    }
}

/// The refresher's looks at the provider, read and changed under one lock so that a waiter
/// never sees a look begun but not yet under way.
#[derive(Default)]
struct Looks {
    last: Option<Instant>,
    under_way: bool,
}

impl Looks {
    /// Whether the last look is long enough ago for another.
    fn due(&self, now: Instant, refetch: Duration) -> bool {
        self.last.is_none_or(|last| now >= last + refetch)
    }
}

/// What a token with an unknown `kid` does.
enum Wait {
    ForTheLookUnderWay,
    ForANewLook,
    Not,
}

/// The key set in force, shared by every worker.
pub struct LiveKeys {
    current: RwLock<Arc<KeySet>>,
    loaded: AtomicBool,
    policy: RefreshPolicy,
    looks: Mutex<Looks>,
    asked: Notify,
    settled: watch::Sender<u64>,
    metrics: KeyMetrics,
}

/// The task that fetches; `run` it on the service's runtime.
pub struct Refresher {
    keys: Arc<LiveKeys>,
    fetcher: Fetcher,
    next_due: Instant,
}

/// Loads the keys once, before the service accepts a request. A file that cannot be read
/// stops the start, as any bad setting does; a provider that does not answer does not:
/// the replica starts, reports itself not ready, and keeps trying.
pub async fn start(
    source: KeySource,
    policy: RefreshPolicy,
) -> Result<(Arc<LiveKeys>, Refresher), KeyError> {
    let fetcher = Fetcher::new(source)?;
    let keys = Arc::new(LiveKeys {
        current: RwLock::new(Arc::new(KeySet::default())),
        loaded: AtomicBool::new(false),
        policy,
        looks: Mutex::new(Looks::default()),
        asked: Notify::new(),
        settled: watch::Sender::new(0),
        metrics: KeyMetrics::new().map_err(|e| KeyError::Fetch(e.to_string()))?,
    });
    let mut refresher = Refresher {
        keys: keys.clone(),
        fetcher,
        next_due: Instant::now(),
    };
    if let Err(e) = refresher.refresh(Trigger::Start).await
        && refresher.fetcher.is_file()
    {
        return Err(e);
    }
    Ok((keys, refresher))
}

impl LiveKeys {
    pub fn current(&self) -> Arc<KeySet> {
        self.current.read().expect("key set lock").clone()
    }

    /// Whether keys were ever loaded; until then the replica is not ready.
    pub fn loaded(&self) -> bool {
        self.loaded.load(Ordering::Acquire)
    }

    pub fn collectors(&self) -> Vec<Box<dyn Collector>> {
        vec![
            Box::new(self.metrics.fetches.clone()),
            Box::new(self.metrics.keys.clone()),
            Box::new(self.metrics.last_success.clone()),
        ]
    }

    fn looks(&self) -> std::sync::MutexGuard<'_, Looks> {
        self.looks.lock().expect("looks lock")
    }

    fn may_fetch(&self, now: Instant) -> bool {
        self.looks().due(now, self.policy.refetch)
    }

    fn wait(&self, now: Instant) -> Wait {
        let looks = self.looks();
        if looks.under_way {
            Wait::ForTheLookUnderWay
        } else if looks.due(now, self.policy.refetch) {
            Wait::ForANewLook
        } else {
            Wait::Not
        }
    }

    /// For a token whose `kid` is not in the set: waits for the look under way, or has the
    /// refresher look when the last look is long enough ago and waits for that. Returns at
    /// once otherwise.
    pub async fn refreshed(&self) {
        // Subscribed first: a look that ends after the check below still wakes this waiter.
        let mut settled = self.settled.subscribe();
        match self.wait(Instant::now()) {
            Wait::ForTheLookUnderWay => {}
            Wait::ForANewLook => self.asked.notify_one(),
            Wait::Not => return,
        }
        let _ = tokio::time::timeout(WAIT_FOR_FETCH, settled.changed()).await;
    }

    fn install(&self, keys: KeySet) {
        self.metrics.keys.set(keys.len() as i64);
        *self.current.write().expect("key set lock") = Arc::new(keys);
        self.loaded.store(true, Ordering::Release);
    }

    /// Wakes whoever waits for a fetch, whether one was made or not.
    fn settle(&self) {
        self.settled.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl Refresher {
    pub async fn run(mut self) {
        loop {
            let trigger = tokio::select! {
                () = tokio::time::sleep_until(self.next_due) => Trigger::Schedule,
                () = self.keys.asked.notified() => Trigger::UnknownKid,
            };
            if trigger == Trigger::Schedule || self.keys.may_fetch(Instant::now()) {
                let _ = self.refresh(trigger).await;
            }
            self.keys.settle();
        }
    }

    async fn refresh(&mut self, trigger: Trigger) -> Result<(), KeyError> {
        let started = Instant::now();
        *self.keys.looks() = Looks {
            last: Some(started),
            under_way: true,
        };
        let policy = self.keys.policy;
        let fetched = self.fetcher.fetch().await;
        self.keys.looks().under_way = false;
        let origin = self.fetcher.origin();
        let outcome = match fetched {
            Ok(fetch) => {
                let outcome = match fetch.keys {
                    Some(keys) => {
                        self.log_change(&origin, &keys);
                        self.keys.install(keys);
                        "updated"
                    }
                    None => {
                        tracing::debug!(jwks = %origin, "the identity provider's keys are unchanged");
                        "unchanged"
                    }
                };
                self.next_due = started
                    + if self.fetcher.is_file() {
                        policy.refetch
                    } else {
                        policy.ttl(fetch.max_age)
                    };
                self.keys
                    .metrics
                    .last_success
                    .set(chrono::Utc::now().timestamp());
                Ok(outcome)
            }
            Err(e) => {
                let kept = self.keys.current().len();
                tracing::warn!(jwks = %origin, error = %e, kept,
                    "cannot refresh the identity provider's keys; the last good ones stay in force");
                self.next_due = started + policy.refetch;
                Err(e)
            }
        };
        let label = outcome.as_ref().map_or("failed", |o| *o);
        self.keys
            .metrics
            .fetches
            .with_label_values(&[trigger.label(), label])
            .inc();
        outcome.map(|_| ())
    }

    fn log_change(&self, origin: &str, keys: &KeySet) {
        let before = self.keys.current();
        let added: Vec<&str> = keys
            .kids()
            .into_iter()
            .filter(|k| before.get(k).is_none())
            .collect();
        let removed: Vec<&str> = before
            .kids()
            .into_iter()
            .filter(|k| keys.get(k).is_none())
            .collect();
        tracing::info!(jwks = %origin, keys = keys.len(), ?added, ?removed,
            "the identity provider's keys are loaded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_providers_caching_is_bounded() {
        let policy = RefreshPolicy {
            min_ttl: Duration::from_secs(300),
            max_ttl: Duration::from_secs(86_400),
            refetch: Duration::from_secs(30),
        };
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(policy.ttl(secs(3600)), Duration::from_secs(3600));
        assert_eq!(policy.ttl(secs(0)), Duration::from_secs(300), "no-cache");
        assert_eq!(policy.ttl(None), Duration::from_secs(300));
        assert_eq!(policy.ttl(secs(30 * 86_400)), Duration::from_secs(86_400));
        let no_floor = RefreshPolicy {
            min_ttl: Duration::ZERO,
            ..policy
        };
        assert_eq!(
            no_floor.ttl(secs(0)),
            Duration::from_secs(30),
            "never below refetch"
        );
    }
}
