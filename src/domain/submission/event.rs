//! What a command on a submission may cause (its event, which the ledger records) or why it is
//! refused.

use super::{RevisionStatus, Submission};
use crate::domain::agreement::{AgreementStatus, Recipient};
use crate::domain::ids::{AgreementId, SubmissionId};
use crate::domain::{Event, Transition, Violation};

/// HMSI's review of a submitted revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Accept,
    /// Back to the Träger, with the reason.
    Return(String),
}

/// What happened to a submission; each names the revisions it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionEvent {
    Drafted,
    /// The draft's values were replaced (after a return: a new draft revision).
    Edited {
        revision: i32,
    },
    Submitted {
        revision: i32,
        days_late: Option<i64>,
    },
    Returned {
        revision: i32,
    },
    /// The revision is the valid one now; the one accepted before is superseded.
    Accepted {
        revision: i32,
        superseded: Option<i32>,
    },
    CorrectionOpened {
        revision: i32,
    },
    /// The draft revision was thrown away; the revisions before it are as they were.
    DraftDiscarded {
        revision: i32,
    },
    ReceiptConfirmed {
        revision: i32,
        recipient: Recipient,
    },
}

impl Event for SubmissionEvent {
    fn action(&self) -> &'static str {
        match self {
            SubmissionEvent::Drafted => "create",
            SubmissionEvent::Edited { .. } => "update",
            SubmissionEvent::Submitted { .. } => "submit",
            SubmissionEvent::Returned { .. } => "return",
            SubmissionEvent::Accepted { .. } => "accept",
            SubmissionEvent::CorrectionOpened { .. } => "correct",
            SubmissionEvent::DraftDiscarded { .. } => "discard",
            SubmissionEvent::ReceiptConfirmed { .. } => "receipt",
        }
    }
}

impl SubmissionEvent {
    /// The revisions the change wrote; every other revision is as it was.
    pub fn revisions(&self) -> Vec<i32> {
        match *self {
            SubmissionEvent::Drafted => vec![1],
            // The discarded revision is gone; no other was written.
            SubmissionEvent::DraftDiscarded { .. } => Vec::new(),
            SubmissionEvent::Accepted {
                revision,
                superseded,
            } => std::iter::once(revision).chain(superseded).collect(),
            SubmissionEvent::Edited { revision }
            | SubmissionEvent::Submitted { revision, .. }
            | SubmissionEvent::Returned { revision }
            | SubmissionEvent::CorrectionOpened { revision }
            | SubmissionEvent::ReceiptConfirmed { revision, .. } => vec![revision],
        }
    }
}

/// Why a command on a submission is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionRefusal {
    /// No such obligation of the caller's Träger (or the id names none).
    #[error("there is no obligation `{0}` that you deliver")]
    UnknownObligation(String),
    #[error("HMSI delivers this obligation, not the Träger")]
    DeliveredByHmsi,
    #[error("agreement {agreement} is {status}: figures are delivered under an agreement in force")]
    NotInForce {
        agreement: AgreementId,
        status: AgreementStatus,
    },
    #[error("submission {0} exists for this obligation: edit its draft, or open a correction")]
    Exists(SubmissionId),
    /// Figures that are malformed, or incomplete when submitted.
    #[error("the figures are invalid")]
    Invalid(Vec<Violation>),
    #[error("revision {revision} of {id} is {status} and never changes: {advice}")]
    Immutable {
        id: SubmissionId,
        revision: i32,
        status: RevisionStatus,
        advice: &'static str,
    },
    #[error("revision {revision} of {id} is {status}: only a draft is submitted")]
    NotADraft {
        id: SubmissionId,
        revision: i32,
        status: RevisionStatus,
    },
    #[error("revision {revision} of {id} is {status}: only a submitted revision is reviewed")]
    NotSubmitted {
        id: SubmissionId,
        revision: i32,
        status: RevisionStatus,
    },
    #[error("revision {revision} of {id} is {status}: only a draft is discarded")]
    NotDiscardable {
        id: SubmissionId,
        revision: i32,
        status: RevisionStatus,
    },
    #[error("revision {revision} of {id} is a draft already: edit it")]
    DraftOpen { id: SubmissionId, revision: i32 },
    #[error("the {0} is no recipient of this obligation")]
    NotRecipient(Recipient),
    #[error("{0} has not been submitted yet")]
    NotDelivered(SubmissionId),
    #[error("there is no revision {0}")]
    UnknownRevision(i32),
    #[error("revision {revision} is {status}, not delivered")]
    RevisionNotDelivered {
        revision: i32,
        status: RevisionStatus,
    },
    #[error("the {recipient} confirmed receipt of revision {revision} already")]
    AlreadyConfirmed { recipient: Recipient, revision: i32 },
}

pub type SubmissionTransition = Transition<Submission, SubmissionEvent>;

/// What discarding a draft leaves: nothing, when the draft was all there was, or the
/// submission as it was before the draft revision was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discarded {
    Whole,
    Draft(Box<SubmissionTransition>),
}
