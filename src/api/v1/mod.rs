//! Version 1 of the API, under `/api/v1`.

pub mod audit;
pub mod traeger;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    traeger::configure(cfg);
    audit::configure(cfg);
}
