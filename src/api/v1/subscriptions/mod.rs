//! `/api/v1/subscriptions`: webhooks. A Träger or Jobcenter token subscribes for its own
//! Träger, HMSI for all (or one Träger); each sees and changes its own, HMSI every one.

mod deliveries;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::headers::{IdempotencyKey, IfMatch, mark_created, versioned};
use crate::api::pagination::{self, next_cursor};
use crate::api::problem::{ApiError, CommonProblems, IfMatchProblems, JsonBodyProblems, NotFound};
use crate::app::Services;
use crate::app::webhooks as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::notice::EventType;
use crate::domain::webhook::{Subscription, SubscriptionInput};

pub const TAG: &str = "webhooks";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_subscriptions)
        .service(create_subscription)
        .service(find_subscription)
        .service(change_subscription)
        .service(delete_subscription)
        .service(rotate_secret)
        .configure(deliveries::configure);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "wh-1", "owner": "jobcenter:06633", "traeger": "06633",
    "url": "https://jobcenter-lk-kassel.example/zv-hooks",
    "event_types": ["submission.accepted", "submission.returned", "obligation.due_soon"],
    "description": "Fachverfahren Jobcenter Landkreis Kassel", "active": true,
    "disabled_reason": null, "failing_since": null, "previous_secret_until": null,
    "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "version": 1,
    "created_at": "2024-02-01T09:00:00Z", "updated_at": "2024-02-01T09:00:00Z"
}))]
pub struct SubscriptionResponse {
    /// `wh-<n>`.
    pub id: String,
    /// Who holds it: `hmsi`, `traeger:<AGS>` or `jobcenter:<AGS>`.
    pub owner: String,
    /// The Träger whose events it receives; null for HMSI's subscription to all.
    pub traeger: Option<String>,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: String,
    /// False when its owner paused it or the service disabled it (see `disabled_reason`).
    pub active: bool,
    /// Why the service disabled it: the receiver answered 410, or failed for 5 days.
    pub disabled_reason: Option<String>,
    /// Since when every delivery failed; null while deliveries succeed.
    pub failing_since: Option<DateTime<Utc>>,
    /// After a rotation: until when the previous secret signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The signing secret (`whsec_` + base64 of 32 bytes), only in the answer that made or
    /// rotated it: keep it, it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SubscriptionResponse {
    fn of(s: Subscription, with_secret: bool) -> Self {
        SubscriptionResponse {
            secret: with_secret.then(|| s.secrets.current.clone()),
            previous_secret_until: s.secrets.previous.as_ref().map(|(_, u)| u.and_utc()),
            id: s.id,
            owner: s.owner,
            traeger: s.traeger.map(String::from),
            url: s.url,
            event_types: s.event_types,
            description: s.description,
            active: s.active,
            disabled_reason: s.disabled_reason,
            failing_since: s.failing_since.map(|t| t.and_utc()),
            version: s.version,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        }
    }
}

fn single(status: StatusCode, s: Subscription, with_secret: bool) -> HttpResponse {
    versioned(status, s.version, SubscriptionResponse::of(s, with_secret))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionPage {
    pub items: Vec<SubscriptionResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://jobcenter-lk-kassel.example/zv-hooks",
    "event_types": ["submission.accepted", "submission.returned", "obligation.due_soon"],
    "description": "Fachverfahren Jobcenter Landkreis Kassel"
}))]
pub struct SubscriptionRequest {
    /// `https://…` at a public address (http and private addresses only where the operator
    /// allows them); no credentials in it, the signature authenticates the service.
    #[schema(value_type = String, required = true)]
    pub url: Option<String>,
    /// The events wanted; at least one.
    #[schema(value_type = Vec<EventType>, required = true)]
    pub event_types: Option<Vec<String>>,
    /// At most 200 characters.
    pub description: Option<String>,
    /// HMSI only: the one Träger whose events it wants (left out: all).
    #[schema(example = "06633")]
    pub traeger: Option<String>,
    /// Left out: true. False pauses it; true again enables a disabled one.
    pub active: Option<bool>,
}

impl From<SubscriptionRequest> for SubscriptionInput {
    fn from(r: SubscriptionRequest) -> Self {
        SubscriptionInput {
            url: r.url,
            event_types: r.event_types,
            description: r.description,
            traeger: r.traeger,
            active: r.active,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionQuery {
    /// Page size, 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// A subscription's id in the path: one of another shape is not found.
pub(super) fn subscription_id(raw: &str) -> Result<String, ApiError> {
    let shaped = raw
        .strip_prefix("wh-")
        .is_some_and(|n| !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_digit()));
    if shaped {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::App(crate::app::AppError::NotFound))
    }
}

/// List subscriptions
///
/// Every role (scope `read`): its own; HMSI every one, so it sees those the service disabled.
#[utoipa::path(tag = TAG, params(SubscriptionQuery), responses(
    (status = 200, description = "One page of subscriptions, by id", body = SubscriptionPage),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/subscriptions")]
pub async fn list_subscriptions(
    principal: Principal,
    query: web::Query<SubscriptionQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<SubscriptionPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubscriptions)?;
    let q = query.into_inner();
    let after = pagination::after::<String>(q.after.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let (items, more) = app::list(&services, visibility, after, limit).await?;
    let next = next_cursor(&items, more, |s| s.id.clone());
    Ok(web::Json(SubscriptionPage {
        items: items
            .into_iter()
            .map(|s| SubscriptionResponse::of(s, false))
            .collect(),
        next,
    }))
}

/// Subscribe to events
///
/// Every role (scope `write`): a Träger or Jobcenter token for its own Träger's events, as far
/// as it may see them; HMSI for all, or for one Träger with `traeger`. The answer holds the
/// signing secret, this once.
#[utoipa::path(tag = TAG, params(
    ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = SubscriptionRequest, responses(
    (status = 201, description = "Subscribed; `secret` is shown this once", body = SubscriptionResponse, headers(
        ("Location" = String, description = "URL of the subscription"),
        ("ETag" = String, description = "Its version"))),
    JsonBodyProblems,
    CommonProblems,
), security(("bearer" = [])))]
#[post("/subscriptions")]
pub async fn create_subscription(
    principal: Principal,
    key: IdempotencyKey,
    body: web::Json<SubscriptionRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ManageSubscriptions)?;
    let input = body.into_inner().into();
    let outcome = app::create(&services, principal.actor(), visibility, input, key.0).await?;
    let location = format!("/api/v1/subscriptions/{}", outcome.value.id);
    let mut res = single(StatusCode::CREATED, outcome.value, true);
    mark_created(&mut res, &location, outcome.replayed);
    Ok(res)
}

/// One subscription
///
/// Its owner, or HMSI; with its `ETag` for a change. The secret is never shown again.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1")), responses(
    (status = 200, description = "The subscription", body = SubscriptionResponse,
        headers(("ETag" = String, description = "Send as If-Match to change it"))),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/subscriptions/{id}")]
pub async fn find_subscription(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubscriptions)?;
    let id = subscription_id(&id)?;
    let s = app::find(&services, visibility, id).await?;
    Ok(single(StatusCode::OK, s, false))
}

/// Change a subscription
///
/// Its owner, or HMSI, `If-Match` required: the whole subscription as it is to be. `active:
/// false` pauses it (events are still queued and sent once it is active again); `active: true`
/// enables one the service disabled and forgets its failures.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1"),
    ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = SubscriptionRequest, responses(
    (status = 200, description = "Changed", body = SubscriptionResponse,
        headers(("ETag" = String, description = "The new version"))),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
    IfMatchProblems,
), security(("bearer" = [])))]
#[put("/subscriptions/{id}")]
pub async fn change_subscription(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<SubscriptionRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ManageSubscriptions)?;
    let id = subscription_id(&id)?;
    let input = body.into_inner().into();
    let s = app::change(
        &services,
        principal.actor(),
        visibility,
        id,
        if_match.0,
        input,
    )
    .await?;
    Ok(single(StatusCode::OK, s, false))
}

/// Delete a subscription
///
/// Its owner, or HMSI, `If-Match` required; what was still to be delivered is dropped.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1"),
    ("If-Match" = String, Header, description = "The ETag you read")), responses(
    (status = 204, description = "Deleted"),
    CommonProblems,
    (status = 404, response = NotFound),
    IfMatchProblems,
), security(("bearer" = [])))]
#[delete("/subscriptions/{id}")]
pub async fn delete_subscription(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ManageSubscriptions)?;
    let id = subscription_id(&id)?;
    app::delete(&services, principal.actor(), visibility, id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate the signing secret
///
/// Its owner, or HMSI. The answer holds the new secret, this once; for 24 hours both secrets
/// sign every delivery (two signatures in `webhook-signature`), so the receiver can switch
/// without losing one.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1")), responses(
    (status = 200, description = "Rotated; `secret` is shown this once", body = SubscriptionResponse,
        headers(("ETag" = String, description = "The new version"))),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[post("/subscriptions/{id}/secret")]
pub async fn rotate_secret(
    principal: Principal,
    id: web::Path<String>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ManageSubscriptions)?;
    let id = subscription_id(&id)?;
    let s = app::rotate_secret(&services, principal.actor(), visibility, id).await?;
    Ok(single(StatusCode::OK, s, true))
}
