//! An agreement's life as transitions: HMSI drafts it and edits the draft; both parties sign,
//! the second signature puts it in force; a signed text never changes, so a change is a
//! successor drafted from it, which supersedes it once in force.

use super::{
    Agreement, AgreementContent, AgreementInput, AgreementStatus, Party, Signature, SignatureInput,
};
use crate::domain::actor::Stamp;
use crate::domain::ids::AgreementId;
use crate::domain::indicator::Catalogue;
use crate::domain::traeger::Ags;
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

    /// Replaces the content of a draft, checked against the catalogue of its year; None when
    /// the content is what it was. Once anyone signed, the text is what they agreed to.
    pub fn edit(
        &self,
        input: &AgreementInput,
        catalogue: &Catalogue,
        stamp: &Stamp,
    ) -> Result<Option<AgreementTransition>, AgreementRefusal> {
        if self.status != AgreementStatus::Draft || !self.signatures.is_empty() {
            return Err(AgreementRefusal::Signed {
                id: self.id.clone(),
                status: self.status,
            });
        }
        let content = input
            .validate(catalogue, self.year)
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
