//! How much one caller may ask of a replica (OWASP API4, unrestricted resource consumption):
//! requests per token and per client address, and exports running at once per token. Beyond a
//! limit the answer is 429 with `Retry-After`, before any handler or the database is touched.
//!
//! The counts are a replica's own and live in its memory: they protect the replica, lose
//! nothing worth keeping when it restarts, and cost no database round trip per request. With n
//! replicas behind one address a caller may get up to n times a limit.

mod client;
mod exports;
mod rate;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, RateLimiter};
use prometheus::core::Collector;
use prometheus::{IntCounterVec, Opts};
use sha2::{Digest, Sha256};

pub use client::TrustedProxies;
pub use rate::{Rate, RateLimit};

use super::edge::routed_path;
use super::problem::ApiError;
use crate::auth::principal::bearer;
use exports::{Held, Slots};

/// How often the counts of callers who went quiet are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// When an export refused for running exports of its token should be tried again.
const EXPORT_RETRY: Duration = Duration::from_secs(5);

/// A token as the limits know it: a digest, so that no token is kept in memory.
type TokenKey = [u8; 16];

fn token_key(token: &str) -> TokenKey {
    let digest = Sha256::digest(token.as_bytes());
    let mut key = [0; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

struct Limited<K: std::hash::Hash + Eq + Clone> {
    rate: Rate,
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Limited<K> {
    fn new(rate: Rate) -> Self {
        Limited {
            rate,
            limiter: RateLimiter::keyed(rate.quota()),
        }
    }

    /// Drops the callers whose counts are back where they started.
    fn forget_quiet(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// How long `key` must wait, when it asks too much.
    fn wait(&self, key: &K) -> Option<Duration> {
        self.limiter
            .check_key(key)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The limits of this replica, shared by its workers.
pub struct Limits {
    per_token: Option<Limited<TokenKey>>,
    per_address: Option<Limited<IpAddr>>,
    exports: Option<Arc<Slots<TokenKey>>>,
    proxies: TrustedProxies,
    refused: IntCounterVec,
}

/// What the limits are set to.
pub struct LimitSettings {
    pub per_token: RateLimit,
    pub per_address: RateLimit,
    /// Exports one token may run at once; 0 for no bound.
    pub exports_per_token: u32,
    pub proxies: TrustedProxies,
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Result<Self, prometheus::Error> {
        let refused = IntCounterVec::new(
            Opts::new(
                "zv_limited_requests_total",
                "Requests refused with 429 by this replica, by limit: token, address, exports",
            ),
            &["limit"],
        )?;
        Ok(Limits {
            per_token: settings.per_token.0.map(Limited::new),
            per_address: settings.per_address.0.map(Limited::new),
            exports: (settings.exports_per_token > 0)
                .then(|| Arc::new(Slots::new(settings.exports_per_token))),
            proxies: settings.proxies,
            refused,
        })
    }

    pub fn collectors(&self) -> Vec<Box<dyn Collector>> {
        vec![Box::new(self.refused.clone())]
    }

    /// Forgets callers whose counts are back where they started, every minute, so that
    /// memory follows the callers of the last minutes, not all callers ever seen.
    pub async fn sweep(self: Arc<Self>) {
        loop {
            actix_web::rt::time::sleep(SWEEP_EVERY).await;
            if let Some(l) = &self.per_token {
                l.forget_quiet();
            }
            if let Some(l) = &self.per_address {
                l.forget_quiet();
            }
        }
    }

    fn refuse(&self, limit: &str, detail: String, wait: Duration) -> ApiError {
        self.refused.with_label_values(&[limit]).inc();
        ApiError::TooManyRequests { detail, wait }
    }

    /// The refusal of a request beyond a rate, if it is one.
    fn over_rate(&self, address: Option<IpAddr>, token: Option<&TokenKey>) -> Option<ApiError> {
        if let (Some(l), Some(ip)) = (&self.per_address, address)
            && let Some(wait) = l.wait(&ip)
        {
            let detail = format!("More than {} from your address.", l.rate);
            return Some(self.refuse("address", detail, wait));
        }
        if let (Some(l), Some(key)) = (&self.per_token, token)
            && let Some(wait) = l.wait(key)
        {
            let detail = format!("More than {} with this token.", l.rate);
            return Some(self.refuse("token", detail, wait));
        }
        None
    }
}

fn is_export(req: &ServiceRequest) -> bool {
    routed_path(req).starts_with("/api/v1/exports/")
}

/// Counts every request to the API against the limits; health, metrics and Swagger UI are
/// not counted (an orchestrator's probes must never be refused).
pub async fn throttle(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limits = match req.app_data::<web::Data<Limits>>() {
        Some(limits) if routed_path(&req).starts_with("/api/") => limits.clone(),
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    let peer = req.peer_addr().map(|a| a.ip());
    let address = limits.proxies.client(peer, req.headers());
    let token = bearer(req.headers()).ok().map(token_key);
    if let Some(refusal) = limits.over_rate(address, token.as_ref()) {
        return Ok(req.into_response(refusal.error_response()));
    }
    let slot = match (&limits.exports, token) {
        (Some(slots), Some(key)) if is_export(&req) => match slots.take(key) {
            Some(slot) => Some(slot),
            None => {
                let detail = format!(
                    "As many exports as this token may run at once ({}) are running; retry when one has ended.",
                    slots.limit()
                );
                let refusal = limits.refuse("exports", detail, EXPORT_RETRY);
                return Ok(req.into_response(refusal.error_response()));
            }
        },
        _ => None,
    };
    let res = next.call(req).await?.map_into_boxed_body();
    Ok(match slot {
        // The export runs until its last byte is sent: the slot goes with the body.
        Some(slot) => res.map_body(|_, body| BoxBody::new(Held::new(body, slot))),
        None => res,
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn an_encoded_path_is_classified_as_the_router_matches_it() {
        let req = TestRequest::with_uri("/%61pi/v1/%65xports/facts?year=2023").to_srv_request();
        assert_eq!(routed_path(&req), "/api/v1/exports/facts");
        assert!(is_export(&req));
    }
}
