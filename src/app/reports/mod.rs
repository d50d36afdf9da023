//! What HMSI reads across all Träger: how complete a year's deliveries are, and one indicator
//! across the years.

pub mod completeness;
pub mod series;
pub mod targets;
