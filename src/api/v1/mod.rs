//! Version 1 of the API, under `/api/v1`.

pub mod agreements;
pub mod audit;
pub mod changes;
pub mod events;
pub mod exports;
pub mod indicators;
pub mod obligations;
pub mod reporting_bodies;
pub mod reports;
pub mod submissions;
pub mod subscriptions;
pub mod traeger;
pub mod transmissions;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    traeger::configure(cfg);
    reporting_bodies::configure(cfg);
    indicators::configure(cfg);
    agreements::configure(cfg);
    obligations::configure(cfg);
    submissions::configure(cfg);
    transmissions::configure(cfg);
    audit::configure(cfg);
    changes::configure(cfg);
    events::configure(cfg);
    subscriptions::configure(cfg);
    reports::configure(cfg);
    exports::configure(cfg);
}
