//! Where an obligation stands: open, overdue, submitted, returned or fulfilled.

use chrono::NaiveDate;

use super::agreement::Recipient;
use super::submission::{RevisionStatus, Submission};

string_enum! {
    /// Where an obligation stands.
    ObligationStatus as "ObligationStatusDto" {
        Open = "open",
        Overdue = "overdue",
        Submitted = "submitted",
        Returned = "returned",
        Fulfilled = "fulfilled",
        Forwarded = "forwarded",
        Acknowledged = "acknowledged",
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
    let (confirmed, pending) = submission.map(Submission::receipts).unwrap_or_default();
    Progress {
        status,
        days_late: submission
            .and_then(|s| s.revisions.iter().rev().find(|r| r.submitted_at.is_some()))
            .and_then(|r| r.days_late),
        confirmed,
        pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{ObligationId, SubmissionId};
    use crate::domain::submission::Revision;
    use crate::domain::traeger::Ags;
    use chrono::NaiveDateTime;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn submission(statuses: &[RevisionStatus]) -> Submission {
        let at = NaiveDateTime::default();
        let obligation: ObligationId = "zv-2023-06633-1.3".parse().unwrap();
        Submission {
            id: SubmissionId::of(&obligation),
            agreement_id: obligation.agreement(),
            obligation_id: obligation,
            traeger: Ags::parse("06633").unwrap(),
            year: 2023,
            section: "§ 2 (3)".into(),
            due: Some(day("2024-02-15")),
            recipients: vec![Recipient::Jobcenter, Recipient::Hmsi],
            revisions: statuses
                .iter()
                .enumerate()
                .map(|(i, s)| Revision {
                    status: *s,
                    ..Revision::draft(i as i32 + 1, Default::default(), "t", at)
                })
                .collect(),
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_status_follows_the_deadline_and_the_revisions() {
        use RevisionStatus::*;
        let due = Some(day("2024-02-15"));
        let cases: &[(&[RevisionStatus], &str, ObligationStatus)] = &[
            (&[], "2024-02-15", ObligationStatus::Open),
            (&[], "2024-02-16", ObligationStatus::Overdue),
            (&[Draft], "2024-02-16", ObligationStatus::Overdue),
            (&[Submitted], "2024-02-16", ObligationStatus::Submitted),
            (&[Returned], "2024-02-16", ObligationStatus::Returned),
            (&[Returned, Draft], "2024-02-16", ObligationStatus::Returned),
            (&[Accepted], "2024-02-16", ObligationStatus::Fulfilled),
            (
                &[Accepted, Draft],
                "2024-02-16",
                ObligationStatus::Fulfilled,
            ),
            (
                &[Superseded, Accepted],
                "2024-02-16",
                ObligationStatus::Fulfilled,
            ),
        ];
        for (revisions, today, expected) in cases {
            let s = (!revisions.is_empty()).then(|| submission(revisions));
            let got = progress(due, s.as_ref(), day(today)).status;
            assert_eq!(got, *expected, "{revisions:?} on {today}");
        }
    }

    #[test]
    fn receipts_are_pending_for_the_delivered_revision_only() {
        let mut s = submission(&[RevisionStatus::Submitted]);
        let today = day("2024-02-10");
        let p = progress(s.due, Some(&s), today);
        assert_eq!(p.pending, [Recipient::Jobcenter, Recipient::Hmsi]);
        s.revisions[0]
            .receipts
            .push(crate::domain::submission::Receipt {
                recipient: Recipient::Jobcenter,
                confirmed_by: "jc".into(),
                confirmed_at: NaiveDateTime::default(),
            });
        let p = progress(s.due, Some(&s), today);
        assert_eq!(
            (p.confirmed, p.pending),
            (vec![Recipient::Jobcenter], vec![Recipient::Hmsi])
        );
        let draft = submission(&[RevisionStatus::Draft]);
        assert!(progress(draft.due, Some(&draft), today).pending.is_empty());
    }
}
