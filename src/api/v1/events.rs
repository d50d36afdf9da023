//! `/api/v1/events`: the events integrators are told of, pulled instead of pushed, for systems
//! behind firewalls that cannot receive calls.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use crate::api::pagination;
use crate::api::problem::{ApiError, CommonProblems};
use crate::app::Services;
use crate::app::events as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::notice::{EventType, Published};

pub const TAG: &str = "events";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_events);
}

/// One event, as a webhook carries it (and, pulled, with its number).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 42, "id": "evt_5b1f0c7e9a2d4c3b8e6f1a2b3c4d5e6f", "type": "submission.accepted",
    "occurred_at": "2024-02-20T10:15:02.511204Z", "traeger": "06633",
    "data": {"submission_id": "sub-zv-2023-06633-1.3", "revision": 1,
             "links": {"submission": "/api/v1/submissions/sub-zv-2023-06633-1.3",
                       "revision": "/api/v1/submissions/sub-zv-2023-06633-1.3/revisions/1"}}
}))]
pub struct EventResponse {
    /// Commit order; pass the last one read as `after`.
    pub seq: i64,
    /// The same on every delivery of the event: receivers deduplicate by it (`webhook-id`).
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    /// The Träger it concerns; null when it concerns several (a forwarded transmission).
    pub traeger: Option<String>,
    /// The ids of what changed, and links to read it through the API.
    #[schema(value_type = Object)]
    pub data: Box<RawValue>,
}

impl From<Published> for EventResponse {
    fn from(e: Published) -> Self {
        let data = e.data_json();
        EventResponse {
            seq: e.seq,
            id: e.id,
            event_type: e.event_type,
            occurred_at: e.occurred_at.and_utc(),
            traeger: e.traeger.map(String::from),
            data,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [], "next": 42}))]
pub struct EventPage {
    pub items: Vec<EventResponse>,
    /// Pass as `after` in the next poll: the last `seq` read (or `after` again when none was new).
    pub next: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// The last `seq` already read; 0 to start from the beginning.
    #[param(minimum = 0, default = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// Only these types, comma-separated, e.g. `submission.accepted,submission.returned`.
    #[param(example = "submission.accepted,submission.returned")]
    pub types: Option<String>,
}

fn types_of(raw: Option<&str>) -> Result<Vec<EventType>, ApiError> {
    raw.map(|list| {
        list.split(',')
            .map(|t| t.trim().parse::<EventType>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::BadRequest(format!("`types`: {e}")))
    })
    .transpose()
    .map(Option::unwrap_or_default)
}

/// Read the events
///
/// Every role, each seeing the events it would be sent as a subscriber: HMSI all; a Träger its
/// own; a Jobcenter what is addressed to it and went out. In commit order: numbers are handed
/// out as transactions commit, so polling with the last `next` never misses an event that
/// committed late.
#[utoipa::path(tag = TAG, params(EventQuery), responses(
    (status = 200, description = "The next events", body = EventPage),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/events")]
pub async fn list_events(
    principal: Principal,
    query: web::Query<EventQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<EventPage>, ApiError> {
    let visibility = authorize(&principal, Permission::ReadEvents)?;
    let q = query.into_inner();
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::BadRequest(
            "`after` must be 0 or a `seq` read before".into(),
        ));
    }
    let limit = pagination::limit(q.limit)?;
    let types = types_of(q.types.as_deref())?;
    let events = app::feed(&services, visibility, after, limit, types).await?;
    let next = events.last().map_or(after, |e| e.seq);
    Ok(web::Json(EventPage {
        items: events.into_iter().map(EventResponse::from).collect(),
        next,
    }))
}
