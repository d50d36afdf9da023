//! Liveness and readiness for the orchestrator.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::problem::{ApiError, Unavailable};
use crate::app::{Services, health};
use crate::auth::jwt::Verifier;

pub const TAG: &str = "operations";

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "postgresql"}))]
pub struct HealthResponse {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Is the process alive
///
/// 200 as long as the process serves HTTP; it does not touch the database.
#[utoipa::path(tag = TAG, responses((status = 200, description = "Alive", body = HealthResponse,
    example = json!({"status": "alive"}))))]
#[get("/health/live")]
pub async fn liveness() -> web::Json<HealthResponse> {
    web::Json(HealthResponse {
        status: "alive",
        database: None,
    })
}

/// Can the service serve requests
///
/// 200 only when the database answers, every migration is applied and the identity
/// provider's keys are loaded; otherwise 503, so a load balancer sends no traffic to this
/// replica.
#[utoipa::path(tag = TAG, responses(
    (status = 200, description = "Ready", body = HealthResponse),
    (status = 503, response = Unavailable),
))]
#[get("/health/ready")]
pub async fn readiness(
    services: web::Data<Services>,
    verifier: web::Data<Verifier>,
) -> Result<web::Json<HealthResponse>, ApiError> {
    if verifier.keys().is_some_and(|k| !k.loaded()) {
        return Err(ApiError::NotReady(
            "the identity provider's keys are not loaded yet".into(),
        ));
    }
    let current = health::ready(&services).await.map_err(|e| {
        tracing::warn!(error = %e, "not ready");
        ApiError::NotReady("the database does not answer".into())
    })?;
    if !current {
        return Err(ApiError::NotReady("migrations are pending".into()));
    }
    Ok(web::Json(HealthResponse {
        status: "ready",
        database: Some(services.backend_name()),
    }))
}
