//! Where the facts of an export come from: which revision of a submission counts, and which
//! version of a transmission, now or as they stood at an earlier instant.

use chrono::NaiveDateTime;

use super::{FactOrigin, FactState};
use crate::domain::indicator::Source;
use crate::domain::submission::RevisionStatus;
use crate::domain::transmission::{DataVersion, Transmission};

/// A revision as an export needs it: its state and dates, not its values.
#[derive(Debug, Clone)]
pub struct RevisionHead {
    pub number: i32,
    pub status: RevisionStatus,
    pub submitted_at: Option<NaiveDateTime>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub late: bool,
}

/// A submission as an export needs it: its revisions' heads, not its values.
#[derive(Debug, Clone)]
pub struct SubmissionHead {
    pub id: String,
    pub traeger: String,
    pub year: i32,
    pub updated_at: NaiveDateTime,
    /// In revision order.
    pub revisions: Vec<RevisionHead>,
}

impl SubmissionHead {
    /// The valid revision: the accepted one, else a submitted one under review; as of an
    /// instant, the one accepted last before it. A superseded revision was accepted once, so
    /// it counts for the time until its successor was accepted.
    pub fn valid_revision(&self, as_of: Option<NaiveDateTime>) -> Option<&RevisionHead> {
        let accepted_once = |r: &&RevisionHead| {
            matches!(
                r.status,
                RevisionStatus::Accepted | RevisionStatus::Superseded
            )
        };
        match as_of {
            Some(t) => self
                .revisions
                .iter()
                .filter(accepted_once)
                .filter(|r| r.reviewed_at.is_some_and(|at| at <= t))
                .max_by_key(|r| r.reviewed_at),
            None => self
                .revisions
                .iter()
                .rev()
                .find(|r| r.status == RevisionStatus::Accepted)
                .or_else(|| {
                    self.revisions
                        .last()
                        .filter(|r| r.status == RevisionStatus::Submitted)
                }),
        }
    }

    /// What the values of revision `r` share.
    pub fn origin(&self, r: &RevisionHead) -> FactOrigin {
        let state = if r.status == RevisionStatus::Submitted {
            FactState::Submitted
        } else {
            FactState::Accepted
        };
        let changed_at = r.reviewed_at.or(r.submitted_at).unwrap_or(self.updated_at);
        FactOrigin::new(
            self.year,
            Source::Traeger,
            self.id.clone(),
            r.number,
            state,
            r.late,
            changed_at,
        )
    }
}

impl Transmission {
    /// The version whose rows are facts, and their state: the newest version; as of an
    /// instant, the newest one received by then (`forwarded_only`, for a Träger, whose
    /// versions are the forwarded ones: forwarded by then).
    pub fn fact_version(
        &self,
        as_of: Option<NaiveDateTime>,
        forwarded_only: bool,
    ) -> Option<(&DataVersion, FactState)> {
        let known_by = |v: &DataVersion| {
            if forwarded_only {
                v.forwarded_at
            } else {
                Some(v.received_at)
            }
        };
        let version = match as_of {
            None => self.versions.last(),
            Some(at) => self
                .versions
                .iter()
                .rev()
                .find(|v| known_by(v).is_some_and(|k| k <= at)),
        }?;
        let forwarded = version
            .forwarded_at
            .is_some_and(|f| as_of.is_none_or(|at| f <= at));
        let state = if forwarded {
            FactState::Forwarded
        } else {
            FactState::Received
        };
        Some((version, state))
    }

    /// What the rows of `version` share.
    pub fn origin(&self, version: &DataVersion, state: FactState) -> FactOrigin {
        FactOrigin::new(
            self.year,
            Source::Ba,
            self.id.to_string(),
            version.number,
            state,
            false,
            version.forwarded_at.unwrap_or(version.received_at),
        )
    }
}
