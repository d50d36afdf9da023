//! What integrators are told: the events of the catalogue, caused by the domain's transitions
//! (or, for deadlines, by the business date), each with the audience that may know of it. The
//! audience follows the rule of reads: HMSI learns of everything; a Träger of its own objects; a
//! Jobcenter of what is addressed to it and went out (never a draft); nobody of another Träger's.

use serde::{Deserialize, Serialize};

use super::actor::Visibility;
use super::agreement::{Agreement, AgreementEvent, Recipient};
use super::ids::{AgreementId, ObligationId, SubmissionId, TransmissionId};
use super::reporting_body::{ReportingBody, ReportingBodyEvent};
use super::submission::{Submission, SubmissionEvent};
use super::traeger::Ags;
use super::transmission::{Transmission, TransmissionEvent};
use super::webhook::{Subscription, SubscriptionEvent};

string_enum! {
    /// The kinds of event an integrator can subscribe to.
    EventType as "EventType" {
        AgreementSigned = "agreement.signed",
        AgreementInForce = "agreement.in_force",
        SubmissionSubmitted = "submission.submitted",
        SubmissionReturned = "submission.returned",
        SubmissionAccepted = "submission.accepted",
        CorrectionOpened = "submission.correction_opened",
        ReceiptConfirmed = "receipt.confirmed",
        TransmissionForwarded = "transmission.forwarded",
        TransmissionCorrected = "transmission.corrected",
        TransmissionAcknowledged = "transmission.acknowledged",
        ObligationDueSoon = "obligation.due_soon",
        ObligationOverdue = "obligation.overdue",
    }
}

/// Who may know of an event besides HMSI: Träger, and the Jobcenter of Träger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub traeger: Vec<Ags>,
    pub jobcenter: Vec<Ags>,
}

impl Audience {
    /// The Träger; its Jobcenter too when `jobcenter`.
    pub fn of(traeger: &Ags, jobcenter: bool) -> Self {
        Audience {
            traeger: vec![traeger.clone()],
            jobcenter: if jobcenter {
                vec![traeger.clone()]
            } else {
                Vec::new()
            },
        }
    }

    pub fn admits(&self, visibility: &Visibility) -> bool {
        match visibility {
            Visibility::All => true,
            Visibility::Traeger(own) => self.traeger.contains(own),
            Visibility::Jobcenter(own) => self.jobcenter.contains(own),
        }
    }

    /// As stored, for queries that select by reader: `traeger:06633 jobcenter:06633`.
    pub fn tokens(&self) -> String {
        let t = self.traeger.iter().map(|a| format!("traeger:{a}"));
        let j = self.jobcenter.iter().map(|a| format!("jobcenter:{a}"));
        t.chain(j).collect::<Vec<_>>().join(" ")
    }

    /// Whether the reader of `token` (as [`Self::token_of`] gives it) is in the audience.
    pub fn has(&self, token: &str) -> bool {
        let own = |kind: &str, list: &[Ags]| {
            token
                .strip_prefix(kind)
                .is_some_and(|ags| list.iter().any(|a| a.as_str() == ags))
        };
        own("traeger:", &self.traeger) || own("jobcenter:", &self.jobcenter)
    }

    /// The token a reader's visibility is found by; none for HMSI, who reads all.
    pub fn token_of(visibility: &Visibility) -> Option<String> {
        match visibility {
            Visibility::All => None,
            Visibility::Traeger(own) => Some(format!("traeger:{own}")),
            Visibility::Jobcenter(own) => Some(format!("jobcenter:{own}")),
        }
    }
}

/// What an event is about; its payload names it by its ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Agreement(AgreementId),
    Submission { id: SubmissionId, revision: i32 },
    Transmission { id: TransmissionId, version: i32 },
    Obligation(ObligationId),
}

/// One event to tell: its type, the Träger it concerns (none when it concerns many), its
/// audience, its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event_type: EventType,
    pub traeger: Option<Ags>,
    pub audience: Audience,
    pub subject: Subject,
}

/// The notices a transition of a state causes.
pub trait Announces<S> {
    fn notices(&self, _state: &S) -> Vec<Notice> {
        Vec::new()
    }
}

impl Announces<Agreement> for AgreementEvent {
    fn notices(&self, a: &Agreement) -> Vec<Notice> {
        let AgreementEvent::Signed { in_force, .. } = *self else {
            return Vec::new();
        };
        let notice = |event_type| Notice {
            event_type,
            traeger: Some(a.traeger.clone()),
            audience: Audience::of(&a.traeger, true),
            subject: Subject::Agreement(a.id.clone()),
        };
        let mut out = vec![notice(EventType::AgreementSigned)];
        if in_force {
            out.push(notice(EventType::AgreementInForce));
        }
        out
    }
}

impl Announces<Submission> for SubmissionEvent {
    fn notices(&self, s: &Submission) -> Vec<Notice> {
        let to_jobcenter = s.recipients.contains(&Recipient::Jobcenter);
        let (event_type, revision, went_out) = match *self {
            SubmissionEvent::Submitted { revision, .. } => {
                (EventType::SubmissionSubmitted, revision, true)
            }
            SubmissionEvent::Returned { revision } => {
                (EventType::SubmissionReturned, revision, true)
            }
            SubmissionEvent::Accepted { revision, .. } => {
                (EventType::SubmissionAccepted, revision, true)
            }
            // A correction is a draft: the Träger's own until it is submitted.
            SubmissionEvent::CorrectionOpened { revision } => {
                (EventType::CorrectionOpened, revision, false)
            }
            SubmissionEvent::ReceiptConfirmed { revision, .. } => {
                (EventType::ReceiptConfirmed, revision, true)
            }
            SubmissionEvent::Drafted
            | SubmissionEvent::Edited { .. }
            | SubmissionEvent::DraftDiscarded { .. } => return Vec::new(),
        };
        vec![Notice {
            event_type,
            traeger: Some(s.traeger.clone()),
            audience: Audience::of(&s.traeger, to_jobcenter && went_out),
            subject: Subject::Submission {
                id: s.id.clone(),
                revision,
            },
        }]
    }
}

impl Announces<Transmission> for TransmissionEvent {
    fn notices(&self, t: &Transmission) -> Vec<Notice> {
        let subject = |version| Subject::Transmission {
            id: t.id.clone(),
            version,
        };
        match self {
            TransmissionEvent::Forwarded { version } => {
                // Each Träger with rows of its own in what went out, and its Jobcenter.
                let mut readers: Vec<Ags> = t
                    .versions
                    .iter()
                    .filter(|v| v.number == *version)
                    .flat_map(|v| v.rows.iter().map(|r| r.traeger.clone()))
                    .collect();
                readers.sort();
                readers.dedup();
                let event_type = if *version == 1 {
                    EventType::TransmissionForwarded
                } else {
                    EventType::TransmissionCorrected
                };
                vec![Notice {
                    event_type,
                    traeger: None,
                    audience: Audience {
                        jobcenter: readers.clone(),
                        traeger: readers,
                    },
                    subject: subject(*version),
                }]
            }
            TransmissionEvent::Acknowledged { version, traeger } => vec![Notice {
                event_type: EventType::TransmissionAcknowledged,
                traeger: Some(traeger.clone()),
                audience: Audience::of(traeger, true),
                subject: subject(*version),
            }],
            TransmissionEvent::Requested | TransmissionEvent::Received { .. } => Vec::new(),
        }
    }
}

impl Announces<ReportingBody> for ReportingBodyEvent {}

impl Announces<Subscription> for SubscriptionEvent {}

/// An event as it was written: numbered in commit order, with its id (the same on every
/// delivery, so receivers deduplicate by it), its time and its payload's `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub seq: i64,
    pub id: String,
    pub event_type: EventType,
    pub occurred_at: chrono::NaiveDateTime,
    pub traeger: Option<Ags>,
    /// JSON: the ids of what changed and links to read it.
    pub data: String,
}

impl Published {
    /// The payload's `data`, passed on as the JSON the service wrote (an empty object should
    /// the stored text ever not be JSON).
    pub fn data_json(&self) -> Box<serde_json::value::RawValue> {
        use serde_json::value::RawValue;
        RawValue::from_string(self.data.clone())
            .unwrap_or_else(|_| RawValue::from_string("{}".into()).expect("{} is JSON"))
    }
}
