//! One event on its way to one subscription, and the attempts to deliver it.

use chrono::NaiveDateTime;

string_enum! {
    /// Where a delivery stands.
    DeliveryStatus as "DeliveryStatus" {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub n: i32,
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub seq: i64,
    pub subscription_id: String,
    pub event_seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}
