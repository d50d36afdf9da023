//! Webhook subscriptions: made, read, changed and deleted by their owners (HMSI all), their
//! secret rotated; and (in the submodules) the events fanned out to them and delivered.

pub mod delivery;
pub mod fanout;
pub mod resend;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;

use super::idempotency::{Outcome, fingerprint, write_once};
use super::{AppError, Services, record, record_end};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::webhook::address::{is_private, refused};
use crate::domain::webhook::signature::secret_of;
use crate::domain::webhook::{Subscription, SubscriptionInput, Wanted, owner_of};
use crate::store::pool::write_transaction;
use crate::store::webhooks as store;
use crate::store::{DbConnection, traeger};

/// How webhooks are sent: whether private receivers are allowed, the waits between attempts,
/// and how long a receiver has to answer.
#[derive(Debug, Clone)]
pub struct WebhookPolicy {
    pub allow_private: bool,
    pub schedule: Arc<[Duration]>,
    /// How long a receiver has to answer.
    pub timeout: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            schedule: crate::domain::webhook::retry::SCHEDULE.into(),
            timeout: crate::domain::webhook::retry::TIMEOUT,
        }
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    secret_of(&bytes)
}

/// Checks an input, and that the URL's host leads to no address only the service can reach.
async fn wanted(
    services: &Services,
    visibility: &Visibility,
    input: &SubscriptionInput,
) -> Result<Wanted, AppError> {
    let allow = services.webhooks().allow_private;
    let wanted = input.read(visibility, allow).map_err(AppError::Invalid)?;
    if allow {
        return Ok(wanted);
    }
    let host = wanted.url.host_str().unwrap_or_default().to_owned();
    let port = wanted.url.port_or_known_default().unwrap_or(443);
    let found: Vec<IpAddr> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| AppError::invalid("/url", format!("`{host}` does not resolve: {e}")))?
        .map(|a| a.ip())
        .collect();
    if let Some(ip) = found.into_iter().find(|ip| is_private(*ip)) {
        return Err(AppError::invalid("/url", refused(&ip.to_string())));
    }
    Ok(wanted)
}

/// The subscription `id`, if the caller holds it; another's is absent, never forbidden.
pub(super) fn held(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &str,
) -> Result<Subscription, AppError> {
    store::find(conn, id)?
        .filter(|s| s.held_by(visibility))
        .ok_or(AppError::NotFound)
}

/// The subscription `id`, if the caller holds it and it is still the version it read.
fn held_as_read(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &str,
    expected_version: Option<i64>,
) -> Result<Subscription, AppError> {
    let s = held(conn, visibility, id)?;
    if expected_version.is_some_and(|v| v != s.version) {
        return Err(AppError::PreconditionFailed);
    }
    Ok(s)
}

/// HMSI's choice of one Träger must name one that exists.
fn known_traeger(conn: &mut DbConnection, wanted: &Wanted) -> Result<(), AppError> {
    match &wanted.traeger {
        Some(t) if traeger::find(conn, &Visibility::All, t)?.is_none() => Err(AppError::invalid(
            "/traeger",
            format!("there is no Träger {t}"),
        )),
        _ => Ok(()),
    }
}

/// Subscribes the caller; the new subscription, its secret shown this once (and again to a
/// retry with the same `Idempotency-Key`).
pub async fn create(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    input: SubscriptionInput,
    idempotency_key: Option<String>,
) -> Result<Outcome<Subscription>, AppError> {
    let wanted = wanted(services, &visibility, &input).await?;
    let fp = fingerprint("subscription.create", &(owner_of(&visibility), &input));
    let clock = services.clock();
    let who = actor.clone();
    let made = write_once(services, &who, idempotency_key, fp, move |conn| {
        known_traeger(conn, &wanted)?;
        let n = store::next_number(conn)?;
        let stamp = clock.stamp(&actor);
        let t = Subscription::create(n, &visibility, wanted, new_secret(), &stamp);
        store::insert(conn, &t.state)?;
        record(conn, &actor, None, &t, stamp.at)?;
        Ok(t.state.id)
    })
    .await?;
    let id = made.value;
    let s = services
        .db()
        .run(move |conn| Ok::<_, AppError>(store::find(conn, &id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Outcome {
        value: s,
        replayed: made.replayed,
    })
}

/// The caller's subscriptions (HMSI: all) after the id `after`.
pub async fn list(
    services: &Services,
    visibility: Visibility,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Subscription>, bool), AppError> {
    let owner = (visibility != Visibility::All).then(|| owner_of(&visibility));
    services
        .page(limit, move |conn, n| {
            store::list(conn, owner.as_deref(), after.as_deref(), n)
        })
        .await
}

pub async fn find(
    services: &Services,
    visibility: Visibility,
    id: String,
) -> Result<Subscription, AppError> {
    services
        .db()
        .run(move |conn| held(conn, &visibility, &id))
        .await
}

/// Changes URL, types, description or state (enabling a disabled one again), if it is still
/// the version the caller read.
pub async fn change(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: String,
    expected_version: Option<i64>,
    input: SubscriptionInput,
) -> Result<Subscription, AppError> {
    let wanted = wanted(services, &visibility, &input).await?;
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let before = held_as_read(conn, &visibility, &id, expected_version)?;
                known_traeger(conn, &wanted)?;
                let stamp = clock.stamp(&actor);
                let Some(t) = before.change(wanted, &stamp) else {
                    return Ok(before);
                };
                if !store::update(conn, &t.state, before.version)? {
                    return Err(AppError::PreconditionFailed);
                }
                record(conn, &actor, Some(&before), &t, stamp.at)?;
                Ok(t.state)
            })
        })
        .await
}

/// Deletes it with its queue, if it is still the version the caller read.
pub async fn delete(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: String,
    expected_version: Option<i64>,
) -> Result<(), AppError> {
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let before = held_as_read(conn, &visibility, &id, expected_version)?;
                store::delete(conn, &id)?;
                record_end(conn, &actor, "delete", &before, super::now())
            })
        })
        .await
}

/// A new secret, shown this once; the current one still signs for 24 hours.
pub async fn rotate_secret(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: String,
) -> Result<Subscription, AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let before = held(conn, &visibility, &id)?;
                let stamp = clock.stamp(&actor);
                let t = before.rotate(new_secret(), &stamp);
                if !store::update(conn, &t.state, before.version)? {
                    return Err(AppError::PreconditionFailed);
                }
                record(conn, &actor, Some(&before), &t, stamp.at)?;
                Ok(t.state)
            })
        })
        .await
}
