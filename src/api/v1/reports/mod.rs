//! `/api/v1/reports`: what HMSI reads across all Träger — how complete a year's deliveries
//! are, one indicator across the years, and every zkT's targets at a glance.

mod completeness;
mod series;
mod targets;

pub use completeness::completeness_report;
pub use series::series_report;
pub use targets::targets_report;

pub const TAG: &str = "reports";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(completeness_report)
        .service(series_report)
        .service(targets_report);
}
