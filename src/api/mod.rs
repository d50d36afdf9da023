//! HTTP: routes, extractors, the contract, and the mapping of errors to problem+json.

pub mod docs;
pub mod edge;
pub mod fallback;
pub mod files;
pub mod formats;
pub mod headers;
pub mod health;
pub mod limits;
pub mod metrics;
pub mod pagination;
pub mod params;
pub mod problem;
pub mod schemas;
pub mod tables;
pub mod upload;
pub mod v1;

use actix_web::App;
use actix_web::dev::{ServiceFactory, ServiceRequest};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp, scope};

/// Registers every documented route on `app`; the spec is collected from the same calls, so it
/// cannot forget one.
pub fn routes<T>(app: App<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(docs::ApiDoc::openapi())
        .service(health::liveness)
        .service(health::readiness)
        .service(metrics::render_metrics)
        .service(scope::scope("/api/v1").configure(v1::configure))
}

/// The contract, as `zv-monitor openapi` prints it and `openapi/openapi.json` holds it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = routes(App::new()).split_for_parts().1;
    utoipa::Modify::modify(&docs::ConditionalReads, &mut spec);
    utoipa::Modify::modify(&docs::SharedParameters, &mut spec);
    spec
}
