//! zv-monitor: the yearly target agreements between HMSI and the kommunale Träger of Hessen
//! (§ 48b SGB II, § 8a OFFENSIV-Gesetz) and the figures they oblige everyone to deliver.

pub mod api;
pub mod app;
pub mod auth;
pub mod background;
pub mod config;
pub mod domain;
pub mod memory;
pub mod printing;
pub mod sheets;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
