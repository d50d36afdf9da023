//! An agreement's life as transitions: HMSI drafts it and edits the draft; both parties sign,
//! the second signature puts it in force; a signed text never changes, so a change is a
//! successor drafted from it, which supersedes it once in force.

use super::{
    Agreement, AgreementContent, AgreementInput, AgreementStatus, Party, Signature, SignatureInput,
};
use crate::domain::actor::Stamp;
use crate::domain::ids::AgreementId;
use crate::domain::indicator::Catalogue;
use crate::domain::traeger::{Ags, JobcenterForm};
use crate::domain::{Event, Transition, Violation};

/// What happened to an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementEvent {
    Drafted,
    Edited,
    /// A party signed; with the second signature the agreement is in force.
    Signed {
        party: Party,
        in_force: bool,
    },
    /// The successor is in force.
    Superseded {
        by: AgreementId,
    },
}

impl Event for AgreementEvent {
    fn action(&self) -> &'static str {
        match self {
            AgreementEvent::Drafted => "create",
            AgreementEvent::Edited => "update",
            AgreementEvent::Signed { .. } => "sign",
            AgreementEvent::Superseded { .. } => "supersede",
        }
    }
}

/// Why a command on an agreement is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreementRefusal {
    #[error(
        "Träger {traeger} has an agreement for {year} already: {}; to change a signed one, \
         create a draft with `copy_from` set to it",
        existing.iter().map(AgreementId::as_str).collect::<Vec<_>>().join(", ")
    )]
    Taken {
        traeger: Ags,
        year: i32,
        existing: Vec<AgreementId>,
    },
    #[error(
        "agreement {id} is {status} and signed texts never change: create a new draft with \
         `copy_from` set to it, which supersedes it once in force"
    )]
    Signed {
        id: AgreementId,
        status: AgreementStatus,
    },
    #[error("the content is invalid")]
    Invalid(Vec<Violation>),
    #[error("{0} lies in the future")]
    SignedInFuture(chrono::NaiveDate),
    #[error("agreement {id} is signed for {party} already")]
    AlreadySigned { id: AgreementId, party: Party },
    #[error("agreement {0} is superseded")]
    Superseded(AgreementId),
    #[error(
        "agreement {id} is {status}: only a draft nobody signed is discarded; a signed one stays \
         on record (supersede it with a new draft `copy_from` it)"
    )]
    NotDiscardable {
        id: AgreementId,
        status: AgreementStatus,
    },
}

pub type AgreementTransition = Transition<Agreement, AgreementEvent>;

/// Which signed agreement a new draft for a Träger and year will supersede. There is one
/// agreement per Träger and year (`current`: those not superseded), except the draft copied
/// from the signed one it is to replace.
pub fn successor_slot(
    current: &[Agreement],
    copied_from: Option<&Agreement>,
    traeger: &Ags,
    year: i32,
) -> Result<Option<AgreementId>, AgreementRefusal> {
    match (current, copied_from) {
        ([], _) => Ok(None),
        ([only], Some(source)) if only.id == source.id && only.status != AgreementStatus::Draft => {
            Ok(Some(only.id.clone()))
        }
        (existing, _) => Err(AgreementRefusal::Taken {
            traeger: traeger.clone(),
            year,
            existing: existing.iter().map(|a| a.id.clone()).collect(),
        }),
    }
}

impl Agreement {
    /// The `n`th agreement of a Träger for a year, as a draft.
    pub fn draft(
        traeger: &Ags,
        year: i32,
        n: i64,
        content: AgreementContent,
        supersedes: Option<AgreementId>,
        stamp: &Stamp,
    ) -> AgreementTransition {
        let draft = Agreement {
            id: AgreementId::new(year, traeger, n),
            traeger: traeger.clone(),
            year,
            status: AgreementStatus::Draft,
            supersedes,
            kind: content.kind,
            legal_basis: String::new(),
            benefits: String::new(),
            sections: Vec::new(),
            obligations: Vec::new(),
            targets: Vec::new(),
            signatures: Vec::new(),
            version: 1,
            created_at: stamp.at,
            updated_at: stamp.at,
        }
        .with_content(content);
        Transition {
            state: draft,
            event: AgreementEvent::Drafted,
        }
    }

    /// HMSI discards a draft nobody signed: it never bound anyone, so nothing of it need stay but
    /// the ledger's record.
    pub fn discard(&self) -> Result<(), AgreementRefusal> {
        if self.status == AgreementStatus::Draft {
            Ok(())
        } else {
            Err(AgreementRefusal::NotDiscardable {
                id: self.id.clone(),
                status: self.status,
            })
        }
    }

    /// Replaces the content of a draft, checked against the catalogue of its year; None when
    /// the content is what it was. Once anyone signed, the text is what they agreed to.
    pub fn edit(
        &self,
        input: &AgreementInput,
        catalogue: &Catalogue,
        form: JobcenterForm,
        stamp: &Stamp,
    ) -> Result<Option<AgreementTransition>, AgreementRefusal> {
        if self.status != AgreementStatus::Draft || !self.signatures.is_empty() {
            return Err(AgreementRefusal::Signed {
                id: self.id.clone(),
                status: self.status,
            });
        }
        let content = input
            .validate(catalogue, self.year, form)
            .map_err(AgreementRefusal::Invalid)?;
        if content == self.content() {
            return Ok(None);
        }
        let edited = Agreement {
            version: self.version + 1,
            updated_at: stamp.at,
            ..self.clone()
        }
        .with_content(content);
        Ok(Some(Transition {
            state: edited,
            event: AgreementEvent::Edited,
        }))
    }

    /// Records the signature of `party`, signed on a day not after today; the second
    /// signature puts the agreement in force.
    pub fn sign(
        &self,
        party: Party,
        input: SignatureInput,
        stamp: &Stamp,
    ) -> Result<AgreementTransition, AgreementRefusal> {
        if input.signed_on > stamp.today {
            return Err(AgreementRefusal::SignedInFuture(input.signed_on));
        }
        if self.status == AgreementStatus::Superseded {
            return Err(AgreementRefusal::Superseded(self.id.clone()));
        }
        if self.signatures.iter().any(|s| s.party == party) {
            return Err(AgreementRefusal::AlreadySigned {
                id: self.id.clone(),
                party,
            });
        }
        let in_force = !self.signatures.is_empty();
        let mut signed = self.clone();
        signed.signatures.push(Signature {
            party,
            signatories: input.signatories,
            place: input.place,
            signed_on: input.signed_on,
            recorded_by: stamp.by.clone(),
            recorded_at: stamp.at,
        });
        signed.status = if in_force {
            AgreementStatus::InForce
        } else {
            AgreementStatus::SignedByOne
        };
        signed.version += 1;
        signed.updated_at = stamp.at;
        Ok(Transition {
            state: signed,
            event: AgreementEvent::Signed { party, in_force },
        })
    }

    /// Gives way to its successor, which is in force now.
    pub fn supersede(&self, by: &AgreementId, stamp: &Stamp) -> AgreementTransition {
        let superseded = Agreement {
            status: AgreementStatus::Superseded,
            version: self.version + 1,
            updated_at: stamp.at,
            ..self.clone()
        };
        Transition {
            state: superseded,
            event: AgreementEvent::Superseded { by: by.clone() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{
        catalogue, day, kassel, kassel_draft, kassel_in_force, kassel_signed_by_hmsi,
        kassel_template_input, signature, stamp,
    };

    #[test]
    fn hmsi_drafts_the_nth_agreement_of_a_traeger_and_year() {
        let a = kassel_draft();
        assert_eq!(a.id.as_str(), "zv-2023-06633-1");
        assert_eq!((a.status, a.version), (AgreementStatus::Draft, 1));
        assert_eq!(a.obligations[2].id.as_str(), "zv-2023-06633-1.3");
        assert_eq!(a.obligations[2].content.due, Some(day("2024-02-15")));
    }

    #[test]
    fn the_first_signature_is_one_party_and_the_second_puts_it_in_force() {
        let hmsi = signature(
            "Barbara Tiemann",
            "Abteilungsleiterin III",
            "Wiesbaden",
            "2023-01-24",
        );
        let t = kassel_draft()
            .sign(Party::Hmsi, hmsi, &stamp("referat-iii-2", "2023-01-24"))
            .unwrap();
        assert_eq!(
            t.event,
            AgreementEvent::Signed {
                party: Party::Hmsi,
                in_force: false
            }
        );
        assert_eq!(t.state.status, AgreementStatus::SignedByOne);
        assert_eq!(t.state.signatures[0].recorded_by, "referat-iii-2");
        let landrat = signature("Andreas Siebert", "Landrat", "Kassel", "2023-02-10");
        let t = t
            .state
            .sign(
                Party::Traeger,
                landrat,
                &stamp("landkreis-kassel", "2023-02-10"),
            )
            .unwrap();
        assert_eq!(
            t.event,
            AgreementEvent::Signed {
                party: Party::Traeger,
                in_force: true
            }
        );
        assert_eq!(
            (t.state.status, t.state.version),
            (AgreementStatus::InForce, 3)
        );
        assert_eq!(t.event.action(), "sign");
    }

    #[test]
    fn a_party_signs_once_not_in_the_future_and_never_a_superseded_text() {
        let a = kassel_signed_by_hmsi();
        let again = signature(
            "Barbara Tiemann",
            "Abteilungsleiterin III",
            "Wiesbaden",
            "2023-01-25",
        );
        assert_eq!(
            a.sign(Party::Hmsi, again, &stamp("hmsi", "2023-01-25")),
            Err(AgreementRefusal::AlreadySigned {
                id: a.id.clone(),
                party: Party::Hmsi
            })
        );
        let tomorrow = signature("Andreas Siebert", "Landrat", "Kassel", "2023-02-11");
        assert_eq!(
            a.sign(Party::Traeger, tomorrow, &stamp("k", "2023-02-10")),
            Err(AgreementRefusal::SignedInFuture(day("2023-02-11")))
        );
        let gone = kassel_in_force().supersede(
            &"zv-2023-06633-2".parse().unwrap(),
            &stamp("h", "2023-06-01"),
        );
        let late = signature("Andreas Siebert", "Landrat", "Kassel", "2023-06-01");
        assert_eq!(
            gone.state
                .sign(Party::Traeger, late, &stamp("k", "2023-06-01")),
            Err(AgreementRefusal::Superseded(gone.state.id.clone()))
        );
    }

    #[test]
    fn only_an_unsigned_draft_is_edited_and_an_unchanged_text_is_no_change() {
        let draft = kassel_draft();
        let mut input = kassel_template_input();
        let at = stamp("referat-iii-2", "2023-01-12");
        assert_eq!(
            draft.edit(&input, &catalogue(), JobcenterForm::Ge, &at),
            Ok(None)
        );
        input.benefits = Some("Leistungen nach § 16a SGB II".into());
        let t = draft
            .edit(&input, &catalogue(), JobcenterForm::Ge, &at)
            .unwrap()
            .unwrap();
        assert_eq!(
            (t.event.clone(), t.state.version),
            (AgreementEvent::Edited, 2)
        );
        assert_eq!(t.state.benefits, "Leistungen nach § 16a SGB II");
        input.kind = Some("quarterly".into());
        assert!(
            matches!(draft.edit(&input, &catalogue(), JobcenterForm::Ge, &at),
            Err(AgreementRefusal::Invalid(v)) if v[0].pointer == "/kind")
        );
        let signed = kassel_signed_by_hmsi();
        assert_eq!(
            signed.edit(&input, &catalogue(), JobcenterForm::Ge, &at),
            Err(AgreementRefusal::Signed {
                id: signed.id.clone(),
                status: AgreementStatus::SignedByOne
            })
        );
    }

    #[test]
    fn one_agreement_per_traeger_and_year_but_a_successor_of_the_signed_one() {
        let year = 2023;
        assert_eq!(successor_slot(&[], None, &kassel(), year), Ok(None));
        let signed = kassel_in_force();
        assert_eq!(
            successor_slot(
                std::slice::from_ref(&signed),
                Some(&signed),
                &kassel(),
                year
            ),
            Ok(Some(signed.id.clone()))
        );
        let refused =
            successor_slot(std::slice::from_ref(&signed), None, &kassel(), year).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Träger 06633 has an agreement for 2023 already: zv-2023-06633-1; to change a \
             signed one, create a draft with `copy_from` set to it"
        );
        // A draft is edited, not succeeded.
        let draft = kassel_draft();
        assert!(
            successor_slot(std::slice::from_ref(&draft), Some(&draft), &kassel(), year).is_err()
        );
    }

    #[test]
    fn a_successor_in_force_supersedes_its_predecessor() {
        let old = kassel_in_force();
        let successor: AgreementId = "zv-2023-06633-2".parse().unwrap();
        let t = old.supersede(&successor, &stamp("hmsi", "2023-06-01"));
        assert_eq!(t.event, AgreementEvent::Superseded { by: successor });
        assert_eq!(
            (t.state.status, t.state.version),
            (AgreementStatus::Superseded, old.version + 1)
        );
        assert_eq!(t.state.signatures, old.signatures);
        assert_eq!(t.event.action(), "supersede");
    }
}
