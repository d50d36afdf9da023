//! `/api/v1/audit-events`: the ledger of every write, and the proof that it is intact.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::pagination::{self, decode_cursor, next_cursor};
use crate::api::problem::{ApiError, CommonProblems};
use crate::app::Services;
use crate::app::audit as app;
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};
use crate::domain::audit::{AuditEvent, AuditFilter, Verification};

pub const TAG: &str = "audit";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_events).service(verify_audit_events);
}

/// One write, as the ledger recorded it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 27, "occurred_at": "2026-11-25T09:14:03.120511Z",
    "actor": "hmsi-referat-iii-2", "actor_role": "hmsi", "actor_traeger": null,
    "action": "update", "entity_type": "traeger", "entity_id": "06633",
    "before": {"ags": "06633", "name": "Landkreis Kassel", "kind": "landkreis",
               "jobcenter": {"id": "jc-06633", "name": "Jobcenter Landkreis Kassel", "form": "ge"}, "version": 1},
    "after": {"ags": "06633", "name": "Landkreis Kassel", "kind": "landkreis",
              "jobcenter": {"id": "jc-06633", "name": "Jobcenter Kassel-Land", "form": "ge"}, "version": 2},
    "request_id": "5f0c6a1e-8f1e-4a5b-9d57-0c2f3a1b7e11",
    "prev_hash": "9b1d…", "hash": "4e07…"
}))]
pub struct AuditEventResponse {
    /// Position in commit order, from 1, without gaps.
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    /// `sub` of the token that wrote, or `system:…` for the service itself.
    pub actor: String,
    pub actor_role: String,
    pub actor_traeger: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The entity before the write; null when it was created.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The entity after the write.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    /// Hash of the previous event (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over this event's fields and `prev_hash`.
    pub hash: String,
}

fn parse_state(text: Option<&str>) -> Option<serde_json::Value> {
    text.map(|t| serde_json::from_str(t).unwrap_or_else(|_| serde_json::Value::String(t.into())))
}

impl From<AuditEvent> for AuditEventResponse {
    fn from(e: AuditEvent) -> Self {
        AuditEventResponse {
            before: parse_state(e.before_state.as_deref()),
            after: parse_state(e.after_state.as_deref()),
            seq: e.seq,
            occurred_at: e.occurred_at.and_utc(),
            actor: e.actor,
            actor_role: e.actor_role,
            actor_traeger: e.actor_traeger,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            request_id: e.request_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    pub items: Vec<AuditEventResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

/// The outcome of walking the hash chain from the first event.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"ok": false, "checked": 31, "first_bad_seq": 31}))]
pub struct VerificationResponse {
    pub ok: bool,
    /// Events checked, up to and including the first bad one.
    pub checked: i64,
    /// The first event that was changed, removed or reordered; null when intact.
    pub first_bad_seq: Option<i64>,
}

impl From<Verification> for VerificationResponse {
    fn from(v: Verification) -> Self {
        VerificationResponse {
            ok: v.ok,
            checked: v.checked,
            first_bad_seq: v.first_bad_seq,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// e.g. `traeger`
    pub entity_type: Option<String>,
    /// e.g. `06633`
    pub entity_id: Option<String>,
    /// `sub` of the writer
    pub actor: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// List ledger events
///
/// HMSI only. Events in commit order, filtered by entity or writer.
#[utoipa::path(
    tag = TAG,
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of events", body = AuditEventPage),
        CommonProblems,
    ),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    principal: Principal,
    query: web::Query<AuditQuery>,
    services: web::Data<Services>,
) -> Result<web::Json<AuditEventPage>, ApiError> {
    authorize(&principal, Permission::ReadAudit)?;
    let q = query.into_inner();
    let after = match q.after.as_deref() {
        None => 0,
        Some(c) => i64::from(decode_cursor::<u32>(c)?),
    };
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor: q.actor,
    };
    let (events, more) = app::list(&services, filter, after, pagination::limit(q.limit)?).await?;
    let next = next_cursor(&events, more, |e| e.seq.to_string());
    Ok(web::Json(AuditEventPage {
        items: events.into_iter().map(AuditEventResponse::from).collect(),
        next,
    }))
}

/// Verify the ledger
///
/// HMSI only. Recomputes every hash from the first event on and reports the first event that
/// was changed, removed or reordered.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The outcome", body = VerificationResponse),
        CommonProblems,
    ),
    security(("bearer" = []))
)]
#[get("/audit-events/verify")]
pub async fn verify_audit_events(
    principal: Principal,
    services: web::Data<Services>,
) -> Result<web::Json<VerificationResponse>, ApiError> {
    authorize(&principal, Permission::ReadAudit)?;
    Ok(web::Json(app::verify(&services).await?.into()))
}
