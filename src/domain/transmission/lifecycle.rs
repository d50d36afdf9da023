//! A transmission's life as transitions: HMSI requests BA statistics, records what BA
//! delivered, forwards it to the Träger (§ 2 (2), (4), (5) of the agreement), and each Träger
//! acknowledges. Data forwarded once is never replaced: BA's correction is a new version, with
//! the reason, forwarded again.

use super::{Acknowledgement, DataRow, DataVersion, Transmission, TransmissionRequest};
use crate::domain::actor::Stamp;
use crate::domain::ids::TransmissionId;
use crate::domain::traeger::Ags;
use crate::domain::{Event, Transition};

/// What happened to a transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransmissionEvent {
    Requested,
    /// BA delivered: the current version's rows are new, or replaced before forwarding; after
    /// forwarding, a new version corrects the one the Träger received.
    Received {
        version: i32,
        correction: bool,
    },
    Forwarded {
        version: i32,
    },
    Acknowledged {
        version: i32,
        traeger: Ags,
    },
}

impl Event for TransmissionEvent {
    fn action(&self) -> &'static str {
        match self {
            TransmissionEvent::Requested => "create",
            TransmissionEvent::Received { .. } => "receive",
            TransmissionEvent::Forwarded { .. } => "forward",
            TransmissionEvent::Acknowledged { .. } => "acknowledge",
        }
    }
}

impl TransmissionEvent {
    /// The version the change wrote, and whether its rows were (the other changes touch only
    /// when it went out and who confirmed it).
    pub fn written(&self) -> Option<(i32, bool)> {
        match *self {
            TransmissionEvent::Requested => None,
            TransmissionEvent::Received { version, .. } => Some((version, true)),
            TransmissionEvent::Forwarded { version }
            | TransmissionEvent::Acknowledged { version, .. } => Some((version, false)),
        }
    }
}

/// Why a command on a transmission is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransmissionRefusal {
    #[error("is required: the data was forwarded, so this is a correction by BA")]
    ReasonRequired,
    #[error("{0} has no data from BA yet")]
    NoData(TransmissionId),
    #[error("version {version} of {id} is forwarded already")]
    AlreadyForwarded { id: TransmissionId, version: i32 },
    /// Nothing was forwarded, so there is nothing a Träger could acknowledge.
    #[error("nothing of {0} was forwarded")]
    NothingForwarded(TransmissionId),
    #[error("Träger {traeger} acknowledged version {version} of {id} already")]
    AlreadyAcknowledged {
        traeger: Ags,
        version: i32,
        id: TransmissionId,
    },
}

pub type TransmissionTransition = Transition<Transmission, TransmissionEvent>;

type Outcome = Result<TransmissionTransition, TransmissionRefusal>;

impl Transmission {
    /// The `n`th request of its year, recorded as HMSI asked.
    pub fn request(n: i64, request: TransmissionRequest, stamp: &Stamp) -> TransmissionTransition {
        let t = Transmission {
            id: TransmissionId::new(request.year, n),
            year: request.year,
            ba_reference: request.ba_reference,
            requested_on: request.requested_on,
            note: request.note,
            indicators: request.indicators,
            versions: Vec::new(),
            version: 1,
            created_at: stamp.at,
            updated_at: stamp.at,
        };
        Transition {
            state: t,
            event: TransmissionEvent::Requested,
        }
    }

    /// Stores what BA delivered. Before forwarding, new data replaces the current version (and
    /// keeps its reason unless a new one is given); after forwarding it is a new version, which
    /// needs a reason: the Träger must learn why its figures changed.
    pub fn receive(&self, rows: Vec<DataRow>, reason: Option<String>, stamp: &Stamp) -> Outcome {
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let fresh = |number: i32, reason: Option<String>| DataVersion {
            number,
            reason,
            received_by: stamp.by.clone(),
            received_at: stamp.at,
            forwarded_by: None,
            forwarded_at: None,
            rows,
            acknowledgements: Vec::new(),
        };
        let mut next = self.changed(stamp);
        let event = match self.current() {
            None => {
                next.versions.push(fresh(1, reason));
                TransmissionEvent::Received {
                    version: 1,
                    correction: false,
                }
            }
            Some(current) if current.forwarded_at.is_none() => {
                let reason = reason.or_else(|| current.reason.clone());
                next.versions.pop();
                next.versions.push(fresh(current.number, reason));
                TransmissionEvent::Received {
                    version: current.number,
                    correction: false,
                }
            }
            Some(current) => {
                let reason = reason.ok_or(TransmissionRefusal::ReasonRequired)?;
                next.versions.push(fresh(current.number + 1, Some(reason)));
                TransmissionEvent::Received {
                    version: current.number + 1,
                    correction: true,
                }
            }
        };
        Ok(Transition { state: next, event })
    }

    /// Forwards the current version: from now on each Träger sees its own rows of it.
    pub fn forward(&self, stamp: &Stamp) -> Outcome {
        let mut next = self.changed(stamp);
        let v = next
            .versions
            .last_mut()
            .ok_or_else(|| TransmissionRefusal::NoData(self.id.clone()))?;
        if v.forwarded_at.is_some() {
            return Err(TransmissionRefusal::AlreadyForwarded {
                id: self.id.clone(),
                version: v.number,
            });
        }
        v.forwarded_by = Some(stamp.by.clone());
        v.forwarded_at = Some(stamp.at);
        let version = v.number;
        Ok(Transition {
            state: next,
            event: TransmissionEvent::Forwarded { version },
        })
    }

    /// A Träger confirms it received the newest forwarded version.
    pub fn acknowledge(&self, traeger: &Ags, stamp: &Stamp) -> Outcome {
        let mut next = self.changed(stamp);
        let v = next
            .versions
            .iter_mut()
            .rev()
            .find(|v| v.forwarded_at.is_some())
            .ok_or_else(|| TransmissionRefusal::NothingForwarded(self.id.clone()))?;
        if v.acknowledgements.iter().any(|a| &a.traeger == traeger) {
            return Err(TransmissionRefusal::AlreadyAcknowledged {
                traeger: traeger.clone(),
                version: v.number,
                id: self.id.clone(),
            });
        }
        v.acknowledgements.push(Acknowledgement {
            traeger: traeger.clone(),
            acknowledged_by: stamp.by.clone(),
            acknowledged_at: stamp.at,
        });
        let version = v.number;
        Ok(Transition {
            state: next,
            event: TransmissionEvent::Acknowledged {
                version,
                traeger: traeger.clone(),
            },
        })
    }

    fn changed(&self, stamp: &Stamp) -> Transmission {
        Transmission {
            version: self.version + 1,
            updated_at: stamp.at,
            ..self.clone()
        }
    }
}
