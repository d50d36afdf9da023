//! `/api/v1/subscriptions/{id}/deliveries` and `/replay`: what was sent to a subscription,
//! every attempt with its answer, and sending again on request.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{TAG, subscription_id};
use crate::api::pagination::{self, decode_cursor, encode_cursor};
use crate::api::problem::{ApiError, CommonProblems, JsonBodyProblems, NotFound};
use crate::app::Services;
use crate::app::webhooks::resend as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::webhook::delivery::{Attempt, Delivery, DeliveryStatus};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_deliveries)
        .service(retry_delivery)
        .service(replay_events);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"n": 1, "at": "2024-02-20T10:15:03Z", "status_code": 503, "error": null, "duration_ms": 42}))]
pub struct WebhookAttempt {
    pub n: i32,
    pub at: DateTime<Utc>,
    /// The receiver's status; null when it did not answer (see `error`).
    pub status_code: Option<i32>,
    /// Why there was no answer: refused, timed out (15 s), TLS, a private address.
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl From<Attempt> for WebhookAttempt {
    fn from(a: Attempt) -> Self {
        WebhookAttempt {
            n: a.n,
            at: a.at.and_utc(),
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "event_id": "evt_5b1f0c7e9a2d4c3b8e6f1a2b3c4d5e6f", "event_type": "submission.accepted",
    "status": "pending", "attempts": [{"n": 1, "at": "2024-02-20T10:15:03Z", "status_code": 503, "error": null, "duration_ms": 42}],
    "next_attempt_at": "2024-02-20T10:15:08Z", "created_at": "2024-02-20T10:15:02Z", "delivered_at": null
}))]
pub struct WebhookDelivery {
    pub id: i64,
    /// Sent as `webhook-id`, the same on every attempt.
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Oldest first.
    pub attempts: Vec<WebhookAttempt>,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for WebhookDelivery {
    fn from(d: Delivery) -> Self {
        WebhookDelivery {
            id: d.seq,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts.into_iter().map(WebhookAttempt::from).collect(),
            next_attempt_at: d.next_attempt_at.map(|t| t.and_utc()),
            created_at: d.created_at.and_utc(),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryPage {
    /// Oldest first.
    pub items: Vec<WebhookDelivery>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Page size, 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"since": "2024-02-19T00:00:00Z"}))]
pub struct ReplayRequest {
    /// Every event that occurred since then (RFC 3339) is sent again.
    #[schema(value_type = String, format = DateTime, required = true)]
    pub since: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"queued": 12}))]
pub struct ReplayResponse {
    /// How many events were queued again, each a new delivery with the event's own id.
    pub queued: usize,
}

/// Deliveries of a subscription
///
/// Its owner, or HMSI: every event queued for it, with each attempt (time, status code or
/// error, duration) and when it is tried next.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1"), DeliveryQuery), responses(
    (status = 200, description = "One page of deliveries, oldest first", body = WebhookDeliveryPage),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[get("/subscriptions/{id}/deliveries")]
pub async fn list_deliveries(
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<DeliveryQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<WebhookDeliveryPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadSubscriptions)?;
    let id = subscription_id(&id)?;
    let q = query.into_inner();
    let after = q.after.as_deref().map(decode_cursor::<i64>).transpose()?;
    let limit = pagination::limit(q.limit)?;
    let (items, more) = app::list(&services, visibility, id, after.unwrap_or(0), limit).await?;
    let next = items
        .last()
        .filter(|_| more)
        .map(|d| encode_cursor(&d.seq.to_string()));
    Ok(web::Json(WebhookDeliveryPage {
        items: items.into_iter().map(WebhookDelivery::from).collect(),
        next,
    }))
}

/// Send a delivery again
///
/// Its owner, or HMSI: the delivery is due now, whatever it came to (a failed one gets one more
/// attempt, then follows the schedule from where it stood).
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1"),
    ("delivery" = i64, Path, example = 17)), responses(
    (status = 202, description = "Due now", body = WebhookDelivery),
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[post("/subscriptions/{id}/deliveries/{delivery}/retry")]
pub async fn retry_delivery(
    principal: Principal,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ManageSubscriptions)?;
    let (id, delivery) = path.into_inner();
    let id = subscription_id(&id)?;
    let seq: i64 = crate::api::params::id(&delivery)?;
    let d = app::retry(&services, principal.actor(), visibility, id, seq).await?;
    Ok(HttpResponse::build(StatusCode::ACCEPTED).json(WebhookDelivery::from(d)))
}

/// Send events again
///
/// Its owner, or HMSI: every event since `since` that the subscription wants and its owner may
/// know of is queued again (a receiver that was down longer than the retry schedule, or a new
/// one to fill). Receivers deduplicate by `webhook-id`. At most 10 000 events at once.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "wh-1")),
    request_body = ReplayRequest, responses(
    (status = 202, description = "Queued", body = ReplayResponse),
    JsonBodyProblems,
    CommonProblems,
    (status = 404, response = NotFound),
), security(("bearer" = [])))]
#[post("/subscriptions/{id}/replay")]
pub async fn replay_events(
    principal: Principal,
    id: web::Path<String>,
    body: web::Json<ReplayRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::ManageSubscriptions)?;
    let id = subscription_id(&id)?;
    let since = match body.into_inner().since {
        None => return Err(invalid("is required")),
        Some(raw) => DateTime::parse_from_rfc3339(&raw)
            .map_err(|e| invalid(&format!("`{raw}` is not an RFC 3339 time ({e})")))?
            .with_timezone(&Utc)
            .naive_utc(),
    };
    let queued = app::replay(&services, principal.actor(), visibility, id, since).await?;
    Ok(HttpResponse::build(StatusCode::ACCEPTED).json(ReplayResponse { queued }))
}

fn invalid(message: &str) -> ApiError {
    ApiError::App(crate::app::AppError::invalid("/since", message))
}
