//! `/api/v1/changes`: the ledger as an ordered change feed for the HMSI data warehouse.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use crate::api::pagination;
use crate::api::problem::{ApiError, CommonProblems};
use crate::app::Services;
use crate::app::audit as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::audit::FeedEntry;

pub const TAG: &str = "changes";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_changes);
}

/// One change: what happened to which entity, and its state afterwards.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 112, "occurred_at": "2024-02-20T10:15:02.511204Z", "entity_type": "submission",
    "entity_id": "sub-zv-2023-06633-1.3", "action": "submit", "state": {"id": "sub-zv-2023-06633-1.3"}
}))]
pub struct ChangeResponse {
    /// Commit order, from 1, without gaps.
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    /// The entity's whole state after the change.
    #[schema(value_type = Option<Object>)]
    pub state: Option<Box<RawValue>>,
}

impl From<FeedEntry> for ChangeResponse {
    fn from(e: FeedEntry) -> Self {
        ChangeResponse {
            seq: e.seq,
            occurred_at: e.occurred_at.and_utc(),
            // The stored text is passed on as it is, not parsed into a tree and written again.
            state: e.after_state.and_then(|s| RawValue::from_string(s).ok()),
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            action: e.action,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [], "next": 112}))]
pub struct ChangePage {
    pub items: Vec<ChangeResponse>,
    /// Pass as `after` in the next poll: the last `seq` read (or `after` again when none was new).
    pub next: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangeQuery {
    /// The last `seq` already read; 0 to start from the beginning.
    #[param(minimum = 0, default = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
}

/// Read the change feed
///
/// HMSI with scope `read` (the data warehouse's account). Every change in commit order; a reader
/// that follows it from 0 rebuilds every table's current state. Numbers are handed out in commit
/// order, so no change can later appear below a number already read: polling with the last
/// `next` never misses one.
#[utoipa::path(tag = TAG, params(ChangeQuery), responses(
    (status = 200, description = "The next changes", body = ChangePage),
    CommonProblems,
), security(("bearer" = [])))]
#[get("/changes")]
pub async fn list_changes(
    principal: Principal,
    query: web::Query<ChangeQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<ChangePage>, ApiError> {
    authorize(&principal, Permission::ReadChanges)?;
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::BadRequest(
            "`after` must be 0 or a `seq` read before".into(),
        ));
    }
    let limit = pagination::limit(query.limit)?;
    let events = app::changes(&services, after, limit).await?;
    let next = events.last().map_or(after, |e| e.seq);
    Ok(web::Json(ChangePage {
        items: events.into_iter().map(ChangeResponse::from).collect(),
        next,
    }))
}
