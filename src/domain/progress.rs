//! Where an obligation stands: open, overdue, submitted, returned or fulfilled.

use chrono::NaiveDate;

use super::agreement::Recipient;
use super::submission::{RevisionStatus, Submission};

string_enum! {
    /// Where an obligation stands.
    ObligationStatus {
        Open = "open",
        Overdue = "overdue",
        Submitted = "submitted",
        Returned = "returned",
        Fulfilled = "fulfilled",
    }
}

/// An obligation's standing: its status, lateness, and which recipients have confirmed
/// receipt of the delivered revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub status: ObligationStatus,
    pub days_late: Option<i64>,
    pub confirmed: Vec<Recipient>,
    pub pending: Vec<Recipient>,
}

/// The standing of an obligation the Träger delivers, from its submission (if any) and today.
/// Accepted once means fulfilled, even while a correction is under way: the accepted revision
/// stays the valid one.
pub fn progress(
    due: Option<NaiveDate>,
    recipients: &[Recipient],
    submission: Option<&Submission>,
    today: NaiveDate,
) -> Progress {
    let not_yet = if due.is_some_and(|d| d < today) {
        ObligationStatus::Overdue
    } else {
        ObligationStatus::Open
    };
    let status = match submission {
        None => not_yet,
        Some(s) if s.accepted().is_some() => ObligationStatus::Fulfilled,
        Some(s) => match s.current().status {
            RevisionStatus::Submitted => ObligationStatus::Submitted,
            RevisionStatus::Returned => ObligationStatus::Returned,
            // A draft after a return is the return being worked on.
            _ if s
                .revisions
                .iter()
                .any(|r| r.status == RevisionStatus::Returned) =>
            {
                ObligationStatus::Returned
            }
            _ => not_yet,
        },
    };
    let delivered = submission.and_then(Submission::delivered);
    let confirmed: Vec<Recipient> = delivered
        .map(|r| r.receipts.iter().map(|c| c.recipient).collect())
        .unwrap_or_default();
    let pending = match delivered {
        Some(_) => recipients
            .iter()
            .copied()
            .filter(|r| !confirmed.contains(r))
            .collect(),
        None => Vec::new(),
    };
    Progress {
        status,
        days_late: submission
            .and_then(|s| s.revisions.iter().rev().find(|r| r.submitted_at.is_some()))
            .and_then(|r| r.days_late),
        confirmed,
        pending,
    }
}
