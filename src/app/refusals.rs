//! The one place where the domain's refusals become the use cases' errors: a state that
//! forbids the command is a conflict (409), input that cannot be is invalid (422, at its
//! pointer), and what a caller may not know of is absent (404).

use super::AppError;
use crate::domain::Violation;
use crate::domain::agreement::AgreementRefusal;
use crate::domain::submission::SubmissionRefusal;
use crate::domain::transmission::TransmissionRefusal;

fn at(pointer: &str, refusal: impl ToString) -> AppError {
    AppError::Invalid(vec![Violation::new(pointer, refusal.to_string())])
}

impl From<SubmissionRefusal> for AppError {
    fn from(r: SubmissionRefusal) -> Self {
        use SubmissionRefusal as R;
        match r {
            R::Invalid(violations) => AppError::Invalid(violations),
            R::UnknownObligation(_) | R::DeliveredByHmsi => at("/obligation_id", r),
            R::UnknownRevision(_) => at("/revision", r),
            R::NotInForce { .. }
            | R::Exists(_)
            | R::Immutable { .. }
            | R::NotADraft { .. }
            | R::NotSubmitted { .. }
            | R::DraftOpen { .. }
            | R::NotDiscardable { .. }
            | R::NotRecipient(_)
            | R::NotDelivered(_)
            | R::RevisionNotDelivered { .. }
            | R::AlreadyConfirmed { .. } => AppError::Conflict(r.to_string()),
        }
    }
}

impl From<AgreementRefusal> for AppError {
    fn from(r: AgreementRefusal) -> Self {
        use AgreementRefusal as R;
        match r {
            R::Invalid(violations) => AppError::Invalid(violations),
            R::SignedInFuture(_) => at("/signed_on", r),
            R::Taken { .. }
            | R::Signed { .. }
            | R::AlreadySigned { .. }
            | R::Superseded(_)
            | R::NotDiscardable { .. } => AppError::Conflict(r.to_string()),
        }
    }
}

impl From<TransmissionRefusal> for AppError {
    fn from(r: TransmissionRefusal) -> Self {
        use TransmissionRefusal as R;
        match r {
            R::ReasonRequired | R::Reason(_) => at("/reason", r),
            R::NothingForwarded(_) => AppError::NotFound,
            R::NoData(_)
            | R::Answered(_)
            | R::AlreadyForwarded { .. }
            | R::AlreadyAcknowledged { .. } => AppError::Conflict(r.to_string()),
        }
    }
}
