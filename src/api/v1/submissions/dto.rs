//! Wire types of `/api/v1/submissions`: what requests carry and responses show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::problem::ApiError;
use crate::api::schemas::FigureValue;
use crate::app::Mode;
use crate::app::submissions::Delivery;
use crate::domain::agreement::Recipient;
use crate::domain::submission::{
    Decision, Revision, RevisionStatus, Submission, ValueEntry, ValueInput,
};
use crate::domain::{Violation, parse_text};

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownDto {
    #[schema(example = "Schuldner- und Insolvenzberatung der Diakonie Kassel")]
    pub reporting_body: String,
    /// A count as a number, an amount as a decimal string.
    #[schema(value_type = FigureValue, example = 231)]
    pub value: serde_json::Value,
}

/// One indicator's figure.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"indicator": "debt_counselling_stock", "value": 412,
    "breakdown": [{"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": 231},
                  {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 181}], "note": null}))]
pub struct ValueDto {
    pub indicator: String,
    /// A count as a JSON number, a euro amount as a decimal string (`"1250.50"`), a text as text.
    #[schema(value_type = FigureValue)]
    pub value: serde_json::Value,
    pub breakdown: Vec<BreakdownDto>,
    pub note: Option<String>,
}

impl From<ValueEntry> for ValueDto {
    fn from(e: ValueEntry) -> Self {
        ValueDto {
            indicator: e.indicator.into(),
            value: e.value.to_json(),
            breakdown: e
                .breakdown
                .into_iter()
                .map(|b| BreakdownDto {
                    reporting_body: b.reporting_body,
                    value: b.value.to_json(),
                })
                .collect(),
            note: e.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDto {
    pub recipient: Recipient,
    pub confirmed_by: String,
    pub confirmed_at: DateTime<Utc>,
}

/// One revision, with who did what when.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionResponse {
    pub revision: i32,
    pub status: RevisionStatus,
    pub values: Vec<ValueDto>,
    /// How a duty without figures was met; null where the obligation asks for figures.
    pub confirmation: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted after the due date.
    pub late: bool,
    pub days_late: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
    pub receipts: Vec<ReceiptDto>,
}

impl From<Revision> for RevisionResponse {
    fn from(r: Revision) -> Self {
        RevisionResponse {
            revision: r.number,
            status: r.status,
            values: r.values.into_iter().map(ValueDto::from).collect(),
            confirmation: r.confirmation,
            created_by: r.created_by,
            created_at: r.created_at.and_utc(),
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at.map(|t| t.and_utc()),
            late: r.days_late.is_some(),
            days_late: r.days_late,
            reviewed_by: r.reviewed_by,
            reviewed_at: r.reviewed_at.map(|t| t.and_utc()),
            return_reason: r.return_reason,
            receipts: r
                .receipts
                .into_iter()
                .map(|c| ReceiptDto {
                    recipient: c.recipient,
                    confirmed_by: c.confirmed_by,
                    confirmed_at: c.confirmed_at.and_utc(),
                })
                .collect(),
        }
    }
}

/// A delivery of figures for one obligation: its newest revision, and which revision is valid.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionResponse {
    #[schema(example = "sub-zv-2023-06633-1.3")]
    pub id: String,
    #[schema(example = "zv-2023-06633-1.3")]
    pub obligation_id: String,
    pub agreement_id: String,
    pub traeger: String,
    pub year: i32,
    #[schema(example = "§ 2 (3)")]
    pub section: String,
    pub due: Option<NaiveDate>,
    /// The status of the newest revision.
    pub status: RevisionStatus,
    pub current_revision: i32,
    /// The valid revision: the last one HMSI accepted.
    pub accepted_revision: Option<i32>,
    /// The newest revision.
    pub revision: RevisionResponse,
    /// Recipients (from the obligation) that have confirmed receipt of the newest delivered
    /// revision, and those still pending.
    pub receipts_confirmed: Vec<Recipient>,
    pub receipts_pending: Vec<Recipient>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Submission> for SubmissionResponse {
    fn from(s: Submission) -> Self {
        let (confirmed, pending) = s.receipts();
        SubmissionResponse {
            status: s.current().status,
            current_revision: s.current().number,
            accepted_revision: s.accepted().map(|r| r.number),
            receipts_confirmed: confirmed,
            receipts_pending: pending,
            id: s.id.into(),
            obligation_id: s.obligation_id.into(),
            agreement_id: s.agreement_id.into(),
            traeger: s.traeger.into(),
            year: s.year,
            section: s.section,
            due: s.due,
            version: s.version,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
            revision: s
                .revisions
                .into_iter()
                .last()
                .map(RevisionResponse::from)
                .expect("a revision"),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningDto {
    #[schema(example = "/values/0/value")]
    pub pointer: String,
    #[schema(example = "+62% against last year's accepted figure 254")]
    pub message: String,
}

/// The outcome of a write: the submission as it is now (or would be, on a dry run), with
/// warnings that do not block.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub submission: SubmissionResponse,
    pub warnings: Vec<WarningDto>,
    /// True when nothing was changed.
    pub dry_run: bool,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        DeliveryResponse {
            submission: d.submission.into(),
            warnings: d
                .warnings
                .into_iter()
                .map(|w| WarningDto {
                    pointer: w.pointer,
                    message: w.message,
                })
                .collect(),
            dry_run: d.dry_run,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionPage {
    pub items: Vec<SubmissionResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub submission_id: String,
    pub items: Vec<RevisionResponse>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakdownRequest {
    #[schema(value_type = String, required = true)]
    pub reporting_body: Option<String>,
    #[schema(value_type = FigureValue, required = true)]
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueRequest {
    #[schema(value_type = String, required = true, example = "debt_counselling_stock")]
    pub indicator: Option<String>,
    /// `count`: a whole number ≥ 0; `eur`: ≥ 0 with at most two decimals, as a number or a
    /// decimal string; `text`: a non-empty text.
    #[schema(value_type = FigureValue, required = true, example = 412)]
    pub value: Option<serde_json::Value>,
    /// By reporting body, for indicators broken down so; must add up to `value`.
    pub breakdown: Option<Vec<BreakdownRequest>>,
    pub note: Option<String>,
}

pub(super) fn inputs(values: Vec<ValueRequest>) -> Vec<ValueInput> {
    values
        .into_iter()
        .map(|v| ValueInput {
            indicator: v.indicator,
            value: v.value,
            breakdown: v
                .breakdown
                .map(|b| b.into_iter().map(|i| (i.reporting_body, i.value)).collect()),
            note: v.note,
        })
        .collect()
}

/// A draft of figures for one obligation of the caller's Träger.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "obligation_id": "zv-2023-06633-1.3",
    "values": [
        {"indicator": "debt_counselling_stock", "value": 412, "breakdown": [
            {"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": 231},
            {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 181}]},
        {"indicator": "debt_counselling_stock_sgb2", "value": 187, "breakdown": [
            {"reporting_body": "Schuldner- und Insolvenzberatung der Diakonie Kassel", "value": 102},
            {"reporting_body": "Schuldnerberatung des Landkreises Kassel", "value": 85}]},
        {"indicator": "debt_counselling_inflow", "value": 268},
        {"indicator": "debt_counselling_inflow_sgb2", "value": 121}
    ]
}))]
pub struct CreateSubmissionRequest {
    #[schema(value_type = String, required = true)]
    pub obligation_id: Option<String>,
    /// The figures the obligation asks for; may be incomplete in a draft.
    pub values: Option<Vec<ValueRequest>>,
    /// Only for a duty without figures (§ 5 (1)): how it was met, e.g. the survey answered or
    /// the conference attended, and when; at most 2000 characters, required to submit.
    #[schema(example = "Teilnahme an der Fachtagung des HMSI am 14.11.2023 in Frankfurt am Main")]
    pub confirmation: Option<String>,
}

/// The new values of the draft (or, after a return, of a new draft revision).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"values": [{"indicator": "debt_counselling_stock", "value": 412}]}))]
pub struct UpdateSubmissionRequest {
    /// The figures; none given is none.
    pub values: Option<Vec<ValueRequest>>,
    /// Only for a duty without figures: how it was met.
    pub confirmation: Option<String>,
}

/// HMSI's review: `accept`, or `return` with a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "return", "reason": "Zugänge aus SGB II-Bedarfsgemeinschaften fehlen für eine Beratungsstelle."}))]
pub struct ReviewRequest {
    #[schema(value_type = String, required = true, example = "accept")]
    pub decision: Option<String>,
    /// Required when returning.
    pub reason: Option<String>,
}

impl ReviewRequest {
    /// The decision it states: `accept`, or `return` with a reason of at most 2000 characters.
    pub fn decision(self) -> Result<Decision, ApiError> {
        let reason = self.reason.filter(|r| !r.trim().is_empty());
        let refuse = |pointer: &str, message: &str| {
            Err(ApiError::invalid(vec![Violation::new(pointer, message)]))
        };
        match (self.decision.as_deref(), reason) {
            (Some("accept"), _) => Ok(Decision::Accept),
            (Some("return"), Some(reason)) => match parse_text(&reason, 2000) {
                Ok(reason) => Ok(Decision::Return(reason)),
                Err(e) => refuse("/reason", &e),
            },
            (Some("return"), None) => refuse("/reason", "is required to return a submission"),
            (Some(other), _) => refuse(
                "/decision",
                &format!("`{other}` is not one of: accept, return"),
            ),
            (None, _) => refuse("/decision", "is required"),
        }
    }
}

/// Which revision was received; the newest delivered one when absent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"revision": 2}))]
pub struct ReceiptRequest {
    pub revision: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DryRun {
    /// Validate and answer what would happen; change nothing, write no ledger event.
    #[param(default = false)]
    pub dry_run: Option<bool>,
}

impl DryRun {
    pub fn mode(&self) -> Mode {
        Mode::of(self.dry_run.unwrap_or(false))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubmissionQuery {
    pub year: Option<i64>,
    /// AGS of the Träger.
    pub traeger: Option<String>,
    /// Status of the newest revision.
    pub status: Option<RevisionStatus>,
    /// e.g. `§ 2 (3)`
    pub section: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}
