//! A transmission's life as transitions: HMSI requests BA statistics, records what BA
//! delivered, forwards it to the Träger (§ 2 (2), (4), (5) of the agreement), and each Träger
//! acknowledges. Data forwarded once is never replaced: BA's correction is a new version, with
//! the reason, forwarded again.

use super::{Acknowledgement, DataRow, DataVersion, Transmission, TransmissionRequest};
use crate::domain::actor::Stamp;
use crate::domain::ids::TransmissionId;
use crate::domain::traeger::Ags;
use crate::domain::{Event, Transition, parse_text};

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
    #[error("{0} has data from BA already: a request BA answered stays on record")]
    Answered(TransmissionId),
    #[error("is required: the data was forwarded, so this is a correction by BA")]
    ReasonRequired,
    /// The reason given is no text to keep.
    #[error("{0}")]
    Reason(String),
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
    /// HMSI cancels a request BA has not answered: there is nothing of it anyone received.
    pub fn cancel(&self) -> Result<(), TransmissionRefusal> {
        if self.versions.is_empty() {
            Ok(())
        } else {
            Err(TransmissionRefusal::Answered(self.id.clone()))
        }
    }

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
        let reason = match reason.filter(|r| !r.trim().is_empty()) {
            None => None,
            Some(r) => Some(parse_text(&r, 2000).map_err(TransmissionRefusal::Reason)?),
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actor::Visibility;
    use crate::domain::figure::Figure;
    use crate::domain::indicator::{IndicatorCode, Unit};
    use crate::domain::testing::{day, kassel, stamp};
    use crate::domain::transmission::{Served, TransmissionStatus};

    fn code(c: &str) -> IndicatorCode {
        IndicatorCode::parse(c).unwrap()
    }

    /// § 2 (4) goes to the Träger; § 4's costs stay with HMSI.
    fn requested() -> Transmission {
        let request = TransmissionRequest {
            year: 2023,
            ba_reference: "Auftrag 2024-0117, Tabelle 3.2".into(),
            requested_on: day("2024-01-17"),
            note: None,
            indicators: vec![
                Served {
                    code: code("psychosocial_care"),
                    section: "§ 2 (4)".into(),
                    unit: Unit::Count,
                    forwardable: true,
                },
                Served {
                    code: code("initial_equipment_home"),
                    section: "§ 4".into(),
                    unit: Unit::Eur,
                    forwardable: false,
                },
            ],
        };
        let t = Transmission::request(1, request, &stamp("hmsi", "2024-01-17"));
        assert_eq!(t.event, TransmissionEvent::Requested);
        t.state
    }

    fn row(ags: &str, indicator: &str, value: Figure) -> DataRow {
        DataRow {
            traeger: Ags::parse(ags).unwrap(),
            indicator: code(indicator),
            value: Some(value),
            marker: None,
            provisional: false,
            revised: false,
            month: None,
            data_as_of: None,
        }
    }

    fn rows(kassel_care: i64) -> Vec<DataRow> {
        vec![
            row("06633", "psychosocial_care", Figure::Count(kassel_care)),
            row("06611", "psychosocial_care", Figure::Count(9)),
            row("06633", "initial_equipment_home", Figure::Eur(123_450)),
        ]
    }

    fn forwarded() -> Transmission {
        requested()
            .receive(rows(17), None, &stamp("hmsi", "2024-03-04"))
            .unwrap()
            .state
            .forward(&stamp("hmsi", "2024-03-05"))
            .unwrap()
            .state
    }

    #[test]
    fn a_request_is_numbered_in_its_year() {
        let t = requested();
        assert_eq!(t.id.as_str(), "ba-2023-1");
        assert_eq!(t.status(), TransmissionStatus::Requested);
    }

    #[test]
    fn data_replaces_the_current_version_until_it_is_forwarded() {
        let t = requested()
            .receive(
                rows(17),
                Some("erste Lieferung".into()),
                &stamp("hmsi", "2024-03-04"),
            )
            .unwrap();
        assert_eq!(
            t.event,
            TransmissionEvent::Received {
                version: 1,
                correction: false
            }
        );
        assert_eq!(t.event.written(), Some((1, true)));
        let again = t
            .state
            .receive(rows(18), None, &stamp("hmsi", "2024-03-04"))
            .unwrap();
        assert_eq!(again.state.versions.len(), 1);
        assert_eq!(again.state.versions[0].rows, rows(18));
        assert_eq!(
            again.state.versions[0].reason.as_deref(),
            Some("erste Lieferung")
        );
    }

    #[test]
    fn forwarding_sends_the_current_version_once() {
        let received = requested()
            .receive(rows(17), None, &stamp("hmsi", "2024-03-04"))
            .unwrap()
            .state;
        let t = received.forward(&stamp("hmsi", "2024-03-05")).unwrap();
        assert_eq!(t.event, TransmissionEvent::Forwarded { version: 1 });
        assert_eq!(t.event.written(), Some((1, false)));
        assert_eq!(t.state.status(), TransmissionStatus::Forwarded);
        assert_eq!(
            t.state.forward(&stamp("hmsi", "2024-03-06")),
            Err(TransmissionRefusal::AlreadyForwarded {
                id: t.state.id.clone(),
                version: 1
            })
        );
        assert_eq!(
            requested().forward(&stamp("hmsi", "2024-03-05")),
            Err(TransmissionRefusal::NoData(requested().id))
        );
    }

    #[test]
    fn a_correction_by_ba_after_forwarding_is_a_new_version_with_its_reason() {
        let t = forwarded();
        assert_eq!(
            t.receive(rows(19), Some("  ".into()), &stamp("hmsi", "2024-02-20")),
            Err(TransmissionRefusal::ReasonRequired)
        );
        // BA revised published figures in February 2024 (DOMAIN.md): a new version.
        let reason = "BA-Revision vom Februar 2024";
        let c = t
            .receive(rows(19), Some(reason.into()), &stamp("hmsi", "2024-03-10"))
            .unwrap();
        assert_eq!(
            c.event,
            TransmissionEvent::Received {
                version: 2,
                correction: true
            }
        );
        assert_eq!(c.state.forwarded().map(|v| v.number), Some(1));
        assert_eq!(
            c.state.current().and_then(|v| v.reason.as_deref()),
            Some(reason)
        );
    }

    #[test]
    fn each_traeger_acknowledges_the_forwarded_version_once() {
        let t = forwarded();
        let k = t
            .acknowledge(&kassel(), &stamp("landkreis-kassel", "2024-03-06"))
            .unwrap();
        assert_eq!(
            k.event,
            TransmissionEvent::Acknowledged {
                version: 1,
                traeger: kassel()
            }
        );
        assert_eq!(
            k.state
                .acknowledge(&kassel(), &stamp("landkreis-kassel", "2024-03-07")),
            Err(TransmissionRefusal::AlreadyAcknowledged {
                traeger: kassel(),
                version: 1,
                id: t.id.clone()
            })
        );
        let received = requested()
            .receive(rows(17), None, &stamp("hmsi", "2024-03-04"))
            .unwrap()
            .state;
        assert_eq!(
            received.acknowledge(&kassel(), &stamp("k", "2024-03-06")),
            Err(TransmissionRefusal::NothingForwarded(received.id.clone()))
        );
    }

    #[test]
    fn a_traeger_sees_its_own_forwarded_rows_of_what_it_receives() {
        let own = Visibility::Traeger(kassel());
        let received = requested()
            .receive(rows(17), None, &stamp("hmsi", "2024-03-04"))
            .unwrap()
            .state;
        assert_eq!(received.clone().seen_by(&own), None);
        assert!(received.seen_by(&Visibility::All).is_some());
        let seen = forwarded().seen_by(&own).unwrap();
        assert_eq!(
            seen.versions[0].rows,
            vec![row("06633", "psychosocial_care", Figure::Count(17))]
        );
        assert_eq!(seen.indicators.len(), 1, "§ 4's costs stay with HMSI");
    }
}
