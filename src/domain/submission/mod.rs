//! A Träger's delivery of the figures one obligation asks for (Meldung / Datenlieferung), its
//! revisions and their review.
//!
//! Every change after submission is a new revision; a submitted, accepted or superseded revision
//! never changes. Until a correction is accepted, the last accepted revision stays the valid one.

mod content;
mod event;
mod lifecycle;
mod values;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::actor::Visibility;
use super::agreement::Recipient;
use super::audit::Recorded;
use super::figure::Figure;
use super::ids::{AgreementId, ObligationId, SubmissionId};
use super::indicator::IndicatorCode;
use super::traeger::Ags;

pub use content::{Content, DraftInput, MAX_CONFIRMATION_CHARS, check_submittable, parse_draft};
pub use event::{Decision, Discarded, SubmissionEvent, SubmissionRefusal, SubmissionTransition};
pub use values::{ValueInput, Warning, check_complete, parse_values, warnings};

string_enum! {
    RevisionStatus as "RevisionStatusDto" {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Accepted = "accepted",
        Superseded = "superseded",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakdownItem {
    pub reporting_body: String,
    pub value: Figure,
}

/// One indicator's figure, optionally broken down by reporting body (Jugendamt,
/// Schuldnerberatungsstelle …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueEntry {
    pub indicator: IndicatorCode,
    pub value: Figure,
    pub breakdown: Vec<BreakdownItem>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub recipient: Recipient,
    pub confirmed_by: String,
    pub confirmed_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub number: i32,
    pub status: RevisionStatus,
    pub values: Vec<ValueEntry>,
    /// How a duty without figures was met; none where the obligation asks for figures.
    pub confirmation: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    /// Days after the due date on which it was submitted; none when on time.
    pub days_late: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub return_reason: Option<String>,
    pub receipts: Vec<Receipt>,
}

impl Revision {
    pub fn draft(number: i32, content: Content, by: &str, at: NaiveDateTime) -> Self {
        Revision {
            number,
            status: RevisionStatus::Draft,
            values: content.values,
            confirmation: content.confirmation,
            created_by: by.to_owned(),
            created_at: at,
            submitted_by: None,
            submitted_at: None,
            days_late: None,
            reviewed_by: None,
            reviewed_at: None,
            return_reason: None,
            receipts: Vec::new(),
        }
    }

    /// Whether this revision went out to its recipients.
    pub fn delivered(&self) -> bool {
        matches!(
            self.status,
            RevisionStatus::Submitted | RevisionStatus::Accepted | RevisionStatus::Superseded
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub id: SubmissionId,
    pub obligation_id: ObligationId,
    pub agreement_id: AgreementId,
    pub traeger: Ags,
    pub year: i32,
    pub section: String,
    pub due: Option<NaiveDate>,
    /// Who is to receive the figures, from the obligation.
    pub recipients: Vec<Recipient>,
    /// Oldest first; never empty.
    pub revisions: Vec<Revision>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Submission {
    pub fn current(&self) -> &Revision {
        self.revisions.last().expect("a submission has a revision")
    }

    pub fn current_mut(&mut self) -> &mut Revision {
        self.revisions
            .last_mut()
            .expect("a submission has a revision")
    }

    /// The valid revision: the last accepted one.
    pub fn accepted(&self) -> Option<&Revision> {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.status == RevisionStatus::Accepted)
    }

    /// The revision recipients should have: the newest one delivered.
    pub fn delivered(&self) -> Option<&Revision> {
        self.revisions.iter().rev().find(|r| r.delivered())
    }

    /// Whether `visibility` may know of it: a recipient reading as such (a Jobcenter) only if it
    /// is addressed to it and a revision of it went out.
    pub fn visible_to(&self, visibility: &Visibility) -> bool {
        visibility.sees(&self.traeger)
            && visibility.as_recipient().is_none_or(|r| {
                self.recipients.contains(&r)
                    && self
                        .revisions
                        .iter()
                        .any(|r| r.status != RevisionStatus::Draft)
            })
    }

    /// What `visibility` may see of it: a recipient reading as such sees only the revisions
    /// that went out, never a draft. Only for answers: a change always works on the whole.
    pub fn seen_by(mut self, visibility: &Visibility) -> Option<Submission> {
        if !self.visible_to(visibility) {
            return None;
        }
        if visibility.as_recipient().is_some() {
            self.revisions.retain(|r| r.status != RevisionStatus::Draft);
        }
        Some(self)
    }

    /// The recipients that confirmed receipt of the newest delivered revision, and those whose
    /// confirmation is pending; none are pending before anything was delivered.
    pub fn receipts(&self) -> (Vec<Recipient>, Vec<Recipient>) {
        let Some(delivered) = self.delivered() else {
            return (Vec::new(), Vec::new());
        };
        let confirmed: Vec<Recipient> = delivered.receipts.iter().map(|c| c.recipient).collect();
        let pending = self
            .recipients
            .iter()
            .copied()
            .filter(|r| !confirmed.contains(r))
            .collect();
        (confirmed, pending)
    }
}

impl Recorded for Submission {
    const ENTITY_TYPE: &'static str = "submission";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
}

/// Days between the deadline and the day of submission; a figure delivered late is late, not
/// rejected.
pub fn days_late(due: Option<NaiveDate>, on: NaiveDate) -> Option<i64> {
    due.map(|d| (on - d).num_days()).filter(|d| *d > 0)
}

/// Which submissions a list shows; the caller's visibility narrows it further.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    pub year: Option<i32>,
    pub traeger: Option<Ags>,
    /// The status of the newest revision.
    pub status: Option<RevisionStatus>,
    pub section: Option<String>,
}
