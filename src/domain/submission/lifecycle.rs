//! The flow of § 2 (1) and (3) as transitions: the Träger drafts and submits its figures, HMSI
//! accepts or returns them, the Träger corrects them, the recipients confirm receipt. Each
//! transition takes the submission as it is and gives the new state and the event, or says why
//! it is refused; it reads no clock and touches no database.

use super::event::{Decision, Discarded, SubmissionEvent, SubmissionRefusal, SubmissionTransition};
use super::{Content, DraftInput, Receipt, Revision, RevisionStatus, Submission, days_late};
use super::{check_submittable, parse_draft};
use crate::domain::Transition;
use crate::domain::actor::Stamp;
use crate::domain::agreement::{Agreement, AgreementStatus, Obligation, Party, Recipient};
use crate::domain::ids::SubmissionId;
use crate::domain::indicator::Indicator;

type Outcome = Result<SubmissionTransition, SubmissionRefusal>;

impl Submission {
    /// The submission for `obligation` of `agreement`, with a first draft of `inputs`.
    /// `indicators` are the obligation's indicators as defined in the agreement's year; `taken`
    /// says whether the obligation has a submission already (there is one per obligation).
    pub fn open(
        agreement: &Agreement,
        obligation: &Obligation,
        indicators: &[Indicator],
        taken: bool,
        input: &DraftInput,
        stamp: &Stamp,
    ) -> Outcome {
        let c = &obligation.content;
        if c.delivered_by != Party::Traeger {
            return Err(SubmissionRefusal::DeliveredByHmsi);
        }
        if agreement.status != AgreementStatus::InForce {
            return Err(SubmissionRefusal::NotInForce {
                agreement: agreement.id.clone(),
                status: agreement.status,
            });
        }
        let id = SubmissionId::of(&obligation.id);
        if taken {
            return Err(SubmissionRefusal::Exists(id));
        }
        let content = parse_draft(input, indicators).map_err(SubmissionRefusal::Invalid)?;
        let submission = Submission {
            id,
            obligation_id: obligation.id.clone(),
            agreement_id: agreement.id.clone(),
            traeger: agreement.traeger.clone(),
            year: agreement.year,
            section: c.section.clone(),
            due: c.due,
            recipients: c.recipients.clone(),
            revisions: vec![Revision::draft(1, content, &stamp.by, stamp.at)],
            version: 1,
            created_at: stamp.at,
            updated_at: stamp.at,
        };
        Ok(Transition {
            state: submission,
            event: SubmissionEvent::Drafted,
        })
    }

    /// Replaces the draft's content; after a return, the returned revision stays as it was and
    /// the content becomes a new draft revision.
    pub fn edit(&self, input: &DraftInput, indicators: &[Indicator], stamp: &Stamp) -> Outcome {
        let content = parse_draft(input, indicators).map_err(SubmissionRefusal::Invalid)?;
        let mut next = self.changed(stamp);
        match self.current().status {
            RevisionStatus::Draft => {
                let r = next.current_mut();
                r.values = content.values;
                r.confirmation = content.confirmation;
            }
            RevisionStatus::Returned => {
                let n = self.current().number + 1;
                next.revisions
                    .push(Revision::draft(n, content, &stamp.by, stamp.at));
            }
            _ => return Err(self.immutable()),
        }
        let revision = next.current().number;
        Ok(next.caused(SubmissionEvent::Edited { revision }))
    }

    /// Submits the draft once its figures are complete. After the due date it is taken all
    /// the same and marked late by the days past it (a late figure is late, not refused).
    pub fn submit(&self, indicators: &[Indicator], stamp: &Stamp) -> Outcome {
        let current = self.current();
        if current.status != RevisionStatus::Draft {
            return Err(SubmissionRefusal::NotADraft {
                id: self.id.clone(),
                revision: current.number,
                status: current.status,
            });
        }
        let errors = check_submittable(current, indicators);
        if !errors.is_empty() {
            return Err(SubmissionRefusal::Invalid(errors));
        }
        let late = days_late(self.due, stamp.today);
        let mut next = self.changed(stamp);
        let r = next.current_mut();
        r.status = RevisionStatus::Submitted;
        r.submitted_by = Some(stamp.by.clone());
        r.submitted_at = Some(stamp.at);
        r.days_late = late;
        Ok(next.caused(SubmissionEvent::Submitted {
            revision: current.number,
            days_late: late,
        }))
    }

    /// The Träger throws its draft away: a first draft takes the submission with it (it was
    /// never delivered, so nothing of it need stay but the ledger's record); a later draft (after
    /// a return, or a correction) leaves the revisions before it as they were.
    pub fn discard(&self, stamp: &Stamp) -> Result<Discarded, SubmissionRefusal> {
        let current = self.current();
        if current.status != RevisionStatus::Draft {
            return Err(SubmissionRefusal::NotDiscardable {
                id: self.id.clone(),
                revision: current.number,
                status: current.status,
            });
        }
        if self.revisions.len() == 1 {
            return Ok(Discarded::Whole);
        }
        let mut next = self.changed(stamp);
        next.revisions.pop();
        let event = SubmissionEvent::DraftDiscarded {
            revision: current.number,
        };
        Ok(Discarded::Draft(Box::new(next.caused(event))))
    }

    /// HMSI accepts the submitted revision, which then is the valid one (the one accepted
    /// before is superseded), or returns it with a reason.
    pub fn review(&self, decision: Decision, stamp: &Stamp) -> Outcome {
        let current = self.current();
        if current.status != RevisionStatus::Submitted {
            return Err(SubmissionRefusal::NotSubmitted {
                id: self.id.clone(),
                revision: current.number,
                status: current.status,
            });
        }
        let revision = current.number;
        let mut next = self.changed(stamp);
        let superseded = match decision {
            Decision::Accept => next
                .revisions
                .iter_mut()
                .find(|r| r.status == RevisionStatus::Accepted)
                .map(|old| {
                    old.status = RevisionStatus::Superseded;
                    old.number
                }),
            Decision::Return(_) => None,
        };
        let r = next.current_mut();
        r.reviewed_by = Some(stamp.by.clone());
        r.reviewed_at = Some(stamp.at);
        let event = match decision {
            Decision::Accept => {
                r.status = RevisionStatus::Accepted;
                SubmissionEvent::Accepted {
                    revision,
                    superseded,
                }
            }
            Decision::Return(reason) => {
                r.status = RevisionStatus::Returned;
                r.return_reason = Some(reason);
                SubmissionEvent::Returned { revision }
            }
        };
        Ok(next.caused(event))
    }

    /// Opens a new draft revision from the accepted (or returned) one; the accepted revision
    /// stays the valid one until the correction is accepted.
    pub fn open_correction(&self, stamp: &Stamp) -> Outcome {
        let current = self.current();
        match current.status {
            RevisionStatus::Accepted | RevisionStatus::Returned => {}
            RevisionStatus::Draft => {
                return Err(SubmissionRefusal::DraftOpen {
                    id: self.id.clone(),
                    revision: current.number,
                });
            }
            _ => return Err(self.immutable()),
        }
        let revision = current.number + 1;
        let mut next = self.changed(stamp);
        let content = Content {
            values: current.values.clone(),
            confirmation: current.confirmation.clone(),
        };
        next.revisions
            .push(Revision::draft(revision, content, &stamp.by, stamp.at));
        Ok(next.caused(SubmissionEvent::CorrectionOpened { revision }))
    }

    /// A recipient of the obligation confirms it received a delivered revision (the newest one
    /// unless named), once per revision.
    pub fn confirm_receipt(
        &self,
        recipient: Recipient,
        revision: Option<i32>,
        stamp: &Stamp,
    ) -> Outcome {
        if !self.recipients.contains(&recipient) {
            return Err(SubmissionRefusal::NotRecipient(recipient));
        }
        let n = match revision {
            Some(n) => n,
            None => self
                .delivered()
                .map(|r| r.number)
                .ok_or_else(|| SubmissionRefusal::NotDelivered(self.id.clone()))?,
        };
        let mut next = self.changed(stamp);
        let r = next
            .revisions
            .iter_mut()
            .find(|r| r.number == n)
            .ok_or(SubmissionRefusal::UnknownRevision(n))?;
        if !r.delivered() {
            return Err(SubmissionRefusal::RevisionNotDelivered {
                revision: n,
                status: r.status,
            });
        }
        if r.receipts.iter().any(|c| c.recipient == recipient) {
            return Err(SubmissionRefusal::AlreadyConfirmed {
                recipient,
                revision: n,
            });
        }
        r.receipts.push(Receipt {
            recipient,
            confirmed_by: stamp.by.clone(),
            confirmed_at: stamp.at,
        });
        Ok(next.caused(SubmissionEvent::ReceiptConfirmed {
            revision: n,
            recipient,
        }))
    }

    /// A copy to change: one version on, changed now.
    fn changed(&self, stamp: &Stamp) -> Submission {
        Submission {
            version: self.version + 1,
            updated_at: stamp.at,
            ..self.clone()
        }
    }

    fn caused(self, event: SubmissionEvent) -> SubmissionTransition {
        Transition { state: self, event }
    }

    /// The current revision went out or was accepted: only a correction changes the figures.
    fn immutable(&self) -> SubmissionRefusal {
        let r = self.current();
        SubmissionRefusal::Immutable {
            id: self.id.clone(),
            revision: r.number,
            status: r.status,
            advice: match r.status {
                RevisionStatus::Accepted | RevisionStatus::Superseded => {
                    "open a correction to change the figures"
                }
                _ => "wait for HMSI's review",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Event;
    use crate::domain::submission::RevisionStatus::*;
    use crate::domain::submission::ValueInput;
    use crate::domain::testing::{
        day, indicators, kassel_in_force, kassel_signed_by_hmsi, obligation, stamp,
    };
    use serde_json::json;

    const DEBT: &str = "§ 2 (3)";

    fn values(stock: i64, sgb2: i64, inflow: i64, inflow_sgb2: i64) -> DraftInput {
        let values = [
            ("debt_counselling_stock", stock),
            ("debt_counselling_stock_sgb2", sgb2),
            ("debt_counselling_inflow", inflow),
            ("debt_counselling_inflow_sgb2", inflow_sgb2),
        ]
        .into_iter()
        .map(|(code, n)| ValueInput {
            indicator: Some(code.into()),
            value: Some(json!(n)),
            ..ValueInput::default()
        })
        .collect();
        DraftInput {
            values,
            confirmation: None,
        }
    }

    /// The Träger's draft of § 2 (3), made on 1 February 2024.
    fn drafted() -> Submission {
        let agreement = kassel_in_force();
        let o = obligation(&agreement, DEBT);
        let t = Submission::open(
            &agreement,
            o,
            &indicators(o),
            false,
            &values(412, 187, 268, 121),
            &stamp("landkreis-kassel", "2024-02-01"),
        )
        .unwrap();
        assert_eq!(t.event, SubmissionEvent::Drafted);
        t.state
    }

    fn debt_indicators() -> Vec<Indicator> {
        indicators(obligation(&kassel_in_force(), DEBT))
    }

    fn submitted(on: &str) -> Submission {
        drafted()
            .submit(&debt_indicators(), &stamp("landkreis-kassel", on))
            .unwrap()
            .state
    }

    fn accepted() -> Submission {
        submitted("2024-02-14")
            .review(Decision::Accept, &stamp("hmsi", "2024-02-20"))
            .unwrap()
            .state
    }

    fn statuses(s: &Submission) -> Vec<RevisionStatus> {
        s.revisions.iter().map(|r| r.status).collect()
    }

    #[test]
    fn the_traeger_opens_its_submission_with_a_draft_of_the_obligations_figures() {
        let s = drafted();
        assert_eq!(s.id.as_str(), "sub-zv-2023-06633-1.3");
        assert_eq!(s.due, Some(day("2024-02-15")));
        assert_eq!(s.recipients, [Recipient::Jobcenter, Recipient::Hmsi]);
        assert_eq!(statuses(&s), [Draft]);
        assert_eq!(s.current().values.len(), 4);
        assert_eq!(
            (s.version, s.current().created_by.as_str()),
            (1, "landkreis-kassel")
        );
    }

    #[test]
    fn opening_is_refused_for_what_the_traeger_does_not_deliver_or_not_yet() {
        let agreement = kassel_in_force();
        let at = stamp("landkreis-kassel", "2024-02-01");
        let open = |a: &Agreement, section: &str, taken: bool, inputs: &DraftInput| {
            let o = obligation(a, section);
            Submission::open(a, o, &indicators(o), taken, inputs, &at).unwrap_err()
        };
        let debt = values(412, 187, 268, 121);
        assert_eq!(
            open(&agreement, "§ 2 (4)", false, &DraftInput::default()),
            SubmissionRefusal::DeliveredByHmsi
        );
        let one_signature = kassel_signed_by_hmsi();
        assert_eq!(
            open(&one_signature, DEBT, false, &debt),
            SubmissionRefusal::NotInForce {
                agreement: one_signature.id.clone(),
                status: AgreementStatus::SignedByOne,
            }
        );
        assert!(
            matches!(open(&agreement, DEBT, true, &debt), SubmissionRefusal::Exists(id)
            if id.as_str() == "sub-zv-2023-06633-1.3")
        );
        let negative = values(-1, 187, 268, 121);
        assert!(matches!(open(&agreement, DEBT, false, &negative),
            SubmissionRefusal::Invalid(v) if v[0].pointer == "/values/0/value"));
    }

    /// § 5 (1): taking part in HMSI's surveys and conferences is met by a confirmation in
    /// words, drafted, submitted and reviewed like figures, and then the duty is fulfilled.
    #[test]
    fn a_duty_without_figures_is_met_by_a_confirmation() {
        let agreement = kassel_in_force();
        let o = obligation(&agreement, "§ 5 (1)");
        let none = indicators(o);
        assert!(none.is_empty());
        let at = stamp("landkreis-kassel", "2024-02-01");
        let said = |text: Option<&str>| DraftInput {
            values: Vec::new(),
            confirmation: text.map(str::to_owned),
        };
        let draft = Submission::open(&agreement, o, &none, false, &said(None), &at)
            .unwrap()
            .state;
        assert!(matches!(draft.submit(&none, &at),
            Err(SubmissionRefusal::Invalid(v)) if v[0].pointer == "/confirmation"));
        let text = "Teilnahme an der Fachtagung des HMSI am 14.11.2023 in Frankfurt";
        let s = draft
            .edit(&said(Some(text)), &none, &at)
            .unwrap()
            .state
            .submit(&none, &at)
            .unwrap()
            .state
            .review(Decision::Accept, &stamp("hmsi", "2024-02-20"))
            .unwrap()
            .state;
        assert_eq!(s.accepted().unwrap().confirmation.as_deref(), Some(text));
        // Figures are not asked for, and a confirmation is not taken where figures are.
        assert!(matches!(
            Submission::open(&agreement, o, &none, false, &values(1, 1, 1, 1), &at),
            Err(SubmissionRefusal::Invalid(v)) if v[0].pointer == "/values/0/indicator"));
        let debt = obligation(&agreement, DEBT);
        let mut both = values(412, 187, 268, 121);
        both.confirmation = Some(text.into());
        assert!(matches!(
            Submission::open(&agreement, debt, &indicators(debt), false, &both, &at),
            Err(SubmissionRefusal::Invalid(v)) if v[0].pointer == "/confirmation"));
    }

    #[test]
    fn a_draft_is_edited_in_place() {
        let s = drafted();
        let t = s
            .edit(
                &values(400, 180, 268, 121),
                &debt_indicators(),
                &stamp("k", "2024-02-02"),
            )
            .unwrap();
        assert_eq!(t.event, SubmissionEvent::Edited { revision: 1 });
        assert_eq!(statuses(&t.state), [Draft]);
        assert_eq!(t.state.version, 2);
        assert_ne!(t.state.current().values, s.current().values);
        assert_eq!(t.event.action(), "update");
    }

    #[test]
    fn submitted_on_the_due_date_is_on_time_and_five_days_later_is_late() {
        let on_time = submitted("2024-02-15");
        assert_eq!(on_time.current().days_late, None);
        let t = drafted()
            .submit(&debt_indicators(), &stamp("landkreis-kassel", "2024-02-20"))
            .unwrap();
        assert_eq!(
            t.event,
            SubmissionEvent::Submitted {
                revision: 1,
                days_late: Some(5)
            }
        );
        let r = t.state.current();
        assert_eq!(
            (r.status, r.submitted_by.as_deref()),
            (Submitted, Some("landkreis-kassel"))
        );
        assert_eq!(
            r.submitted_at,
            Some(day("2024-02-20").and_hms_opt(12, 0, 0).unwrap())
        );
    }

    #[test]
    fn only_a_complete_draft_is_submitted() {
        let i = debt_indicators();
        let at = stamp("k", "2024-02-14");
        let mut missing = values(412, 187, 268, 121);
        missing.values.pop();
        let s = drafted().edit(&missing, &i, &at).unwrap().state;
        assert!(
            matches!(s.submit(&i, &at), Err(SubmissionRefusal::Invalid(v))
            if v[0].message == "`debt_counselling_inflow_sgb2` is missing")
        );
        // "davon aus SGB II-Bedarfsgemeinschaften": a part is never more than its total.
        let s = drafted()
            .edit(&values(100, 187, 268, 121), &i, &at)
            .unwrap()
            .state;
        assert!(
            matches!(s.submit(&i, &at), Err(SubmissionRefusal::Invalid(v))
            if v[0].pointer == "/values/1/value")
        );
        assert!(matches!(
            submitted("2024-02-14").submit(&i, &at),
            Err(SubmissionRefusal::NotADraft {
                revision: 1,
                status: Submitted,
                ..
            })
        ));
    }

    #[test]
    fn what_went_out_never_changes() {
        let i = debt_indicators();
        let at = stamp("k", "2024-02-16");
        let refusal = submitted("2024-02-14")
            .edit(&values(1, 1, 1, 1), &i, &at)
            .unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "revision 1 of sub-zv-2023-06633-1.3 is submitted and never changes: wait for HMSI's review"
        );
        let refusal = accepted().edit(&values(1, 1, 1, 1), &i, &at).unwrap_err();
        assert!(
            refusal
                .to_string()
                .ends_with("open a correction to change the figures")
        );
    }

    #[test]
    fn hmsi_accepts_a_submitted_revision_and_only_that() {
        let t = submitted("2024-02-14")
            .review(Decision::Accept, &stamp("hmsi", "2024-02-20"))
            .unwrap();
        assert_eq!(
            t.event,
            SubmissionEvent::Accepted {
                revision: 1,
                superseded: None
            }
        );
        assert_eq!(t.state.accepted().map(|r| r.number), Some(1));
        assert_eq!(t.state.current().reviewed_by.as_deref(), Some("hmsi"));
        assert!(matches!(
            drafted().review(Decision::Accept, &stamp("hmsi", "2024-02-20")),
            Err(SubmissionRefusal::NotSubmitted { status: Draft, .. })
        ));
        assert!(matches!(
            accepted().review(Decision::Accept, &stamp("hmsi", "2024-02-21")),
            Err(SubmissionRefusal::NotSubmitted {
                status: Accepted,
                ..
            })
        ));
    }

    #[test]
    fn a_returned_revision_stays_as_it_was_and_the_fix_is_a_new_draft() {
        let reason = "Zugänge aus SGB II-Bedarfsgemeinschaften fehlen für eine Beratungsstelle.";
        let t = submitted("2024-02-14")
            .review(
                Decision::Return(reason.into()),
                &stamp("hmsi", "2024-02-20"),
            )
            .unwrap();
        assert_eq!(t.event, SubmissionEvent::Returned { revision: 1 });
        assert_eq!(t.state.current().return_reason.as_deref(), Some(reason));
        let fixed = t
            .state
            .edit(
                &values(412, 187, 270, 123),
                &debt_indicators(),
                &stamp("k", "2024-02-21"),
            )
            .unwrap();
        assert_eq!(fixed.event, SubmissionEvent::Edited { revision: 2 });
        assert_eq!(statuses(&fixed.state), [Returned, Draft]);
        assert_eq!(fixed.state.revisions[0], t.state.revisions[0]);
    }

    #[test]
    fn a_correction_keeps_the_accepted_revision_valid_until_it_is_accepted_itself() {
        let s = accepted();
        let t = s.open_correction(&stamp("k", "2024-03-01")).unwrap();
        assert_eq!(t.event, SubmissionEvent::CorrectionOpened { revision: 2 });
        assert_eq!(statuses(&t.state), [Accepted, Draft]);
        assert_eq!(t.state.current().values, s.current().values);
        assert_eq!(t.state.accepted().map(|r| r.number), Some(1));
        let i = debt_indicators();
        let resubmitted = t.state.submit(&i, &stamp("k", "2024-03-02")).unwrap().state;
        let t = resubmitted
            .review(Decision::Accept, &stamp("hmsi", "2024-03-04"))
            .unwrap();
        assert_eq!(
            t.event,
            SubmissionEvent::Accepted {
                revision: 2,
                superseded: Some(1)
            }
        );
        assert_eq!(t.event.revisions(), [2, 1]);
        assert_eq!(statuses(&t.state), [Superseded, Accepted]);
    }

    #[test]
    fn a_correction_opens_from_an_accepted_or_returned_revision_only() {
        let at = stamp("k", "2024-03-01");
        assert!(matches!(
            drafted().open_correction(&at),
            Err(SubmissionRefusal::DraftOpen { revision: 1, .. })
        ));
        assert!(matches!(
            submitted("2024-02-14").open_correction(&at),
            Err(SubmissionRefusal::Immutable {
                status: Submitted,
                ..
            })
        ));
        let returned = submitted("2024-02-14")
            .review(Decision::Return("x".into()), &at)
            .unwrap()
            .state;
        assert_eq!(
            returned.open_correction(&at).unwrap().event,
            SubmissionEvent::CorrectionOpened { revision: 2 }
        );
    }

    #[test]
    fn each_recipient_confirms_a_delivered_revision_once() {
        let s = submitted("2024-02-14");
        let at = stamp("jc-06633", "2024-02-16");
        let t = s.confirm_receipt(Recipient::Jobcenter, None, &at).unwrap();
        assert_eq!(
            t.event,
            SubmissionEvent::ReceiptConfirmed {
                revision: 1,
                recipient: Recipient::Jobcenter
            }
        );
        assert_eq!(
            t.state.receipts(),
            (vec![Recipient::Jobcenter], vec![Recipient::Hmsi])
        );
        assert_eq!(
            t.state.confirm_receipt(Recipient::Jobcenter, Some(1), &at),
            Err(SubmissionRefusal::AlreadyConfirmed {
                recipient: Recipient::Jobcenter,
                revision: 1
            })
        );
        // § 2 (3): the figures go to the Jobcenter and HMSI, not back to the Träger.
        assert_eq!(
            s.confirm_receipt(Recipient::Traeger, None, &at),
            Err(SubmissionRefusal::NotRecipient(Recipient::Traeger))
        );
        assert_eq!(
            s.confirm_receipt(Recipient::Hmsi, Some(9), &at),
            Err(SubmissionRefusal::UnknownRevision(9))
        );
        assert!(matches!(
            drafted().confirm_receipt(Recipient::Hmsi, None, &at),
            Err(SubmissionRefusal::NotDelivered(_))
        ));
        let correcting = accepted().open_correction(&at).unwrap().state;
        assert_eq!(
            correcting.confirm_receipt(Recipient::Hmsi, Some(2), &at),
            Err(SubmissionRefusal::RevisionNotDelivered {
                revision: 2,
                status: Draft
            })
        );
    }

    #[test]
    fn lateness_counts_days_after_the_deadline() {
        let due = Some(day("2024-02-15"));
        assert_eq!(days_late(due, day("2024-02-20")), Some(5));
        assert_eq!(days_late(due, day("2024-02-15")), None);
        assert_eq!(days_late(None, day("2030-01-01")), None);
    }

    #[test]
    fn only_a_draft_is_discarded_and_a_later_one_leaves_the_revisions_before_it() {
        let at = stamp("k", "2024-02-21");
        assert_eq!(drafted().discard(&at), Ok(Discarded::Whole));
        assert!(matches!(
            submitted("2024-02-14").discard(&at),
            Err(SubmissionRefusal::NotDiscardable {
                status: Submitted,
                ..
            })
        ));
        let correcting = accepted().open_correction(&at).unwrap().state;
        let Ok(Discarded::Draft(t)) = correcting.discard(&at) else {
            panic!("a correction's draft is discarded alone");
        };
        assert_eq!(t.event, SubmissionEvent::DraftDiscarded { revision: 2 });
        assert_eq!(statuses(&t.state), [Accepted]);
        assert_eq!(t.state.version, correcting.version + 1);
    }

    #[test]
    fn every_event_has_its_ledger_action() {
        let events = [
            (SubmissionEvent::Drafted, "create"),
            (SubmissionEvent::Edited { revision: 1 }, "update"),
            (
                SubmissionEvent::Submitted {
                    revision: 1,
                    days_late: None,
                },
                "submit",
            ),
            (SubmissionEvent::Returned { revision: 1 }, "return"),
            (
                SubmissionEvent::Accepted {
                    revision: 1,
                    superseded: None,
                },
                "accept",
            ),
            (SubmissionEvent::CorrectionOpened { revision: 2 }, "correct"),
            (SubmissionEvent::DraftDiscarded { revision: 2 }, "discard"),
            (
                SubmissionEvent::ReceiptConfirmed {
                    revision: 1,
                    recipient: Recipient::Hmsi,
                },
                "receipt",
            ),
        ];
        for (event, action) in events {
            assert_eq!(event.action(), action);
        }
    }
}
