//! Webhook subscriptions: a Träger, a Jobcenter or HMSI names a URL and the events it wants;
//! the service sends each such event it may know of, signed, until the receiver takes it.

pub mod address;
pub mod delivery;
pub mod retry;
pub mod signature;

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use super::actor::{Stamp, Visibility};
use super::audit::Recorded;
use super::notice::{EventType, Notice};
use super::traeger::Ags;
use super::{Event, Transition, Violation, Violations};

/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// How long the previous secret still signs after a rotation.
pub const ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// Who holds a subscription, as stored: `hmsi`, `traeger:06633`, `jobcenter:06633`.
pub fn owner_of(visibility: &Visibility) -> String {
    match visibility {
        Visibility::All => "hmsi".into(),
        Visibility::Traeger(a) => format!("traeger:{a}"),
        Visibility::Jobcenter(a) => format!("jobcenter:{a}"),
    }
}

/// The secrets that sign: the current one, and after a rotation the previous one until its end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Secrets {
    pub current: String,
    pub previous: Option<(String, NaiveDateTime)>,
}

impl Secrets {
    /// Those valid at `now`, newest first.
    pub fn valid_at(&self, now: NaiveDateTime) -> Vec<&str> {
        let previous = self
            .previous
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(s, _)| s.as_str());
        std::iter::once(self.current.as_str())
            .chain(previous)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// `wh-<n>`.
    pub id: String,
    pub owner: String,
    /// The Träger whose events it receives; None for HMSI's subscription to all.
    pub traeger: Option<Ags>,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: String,
    /// Never in the ledger, the change feed or a listing: shown once, when made or rotated.
    #[serde(skip)]
    pub secrets: Secrets,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Recorded for Subscription {
    const ENTITY_TYPE: &'static str = "subscription";
    fn entity_id(&self) -> String {
        self.id.clone()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionEvent {
    Created,
    Changed,
    SecretRotated,
    /// By the service: the receiver answered 410, or failed for five days.
    Disabled,
    Deleted,
    /// Events sent again on request: a replay, or one delivery retried.
    Resent,
}

impl Event for SubscriptionEvent {
    fn action(&self) -> &'static str {
        match self {
            SubscriptionEvent::Created => "create",
            SubscriptionEvent::Changed => "update",
            SubscriptionEvent::SecretRotated => "rotate_secret",
            SubscriptionEvent::Disabled => "disable",
            SubscriptionEvent::Deleted => "delete",
            SubscriptionEvent::Resent => "resend",
        }
    }
}

pub type SubscriptionTransition = Transition<Subscription, SubscriptionEvent>;

/// A subscription as a request describes it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubscriptionInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// HMSI only: the one Träger whose events it wants.
    pub traeger: Option<String>,
    /// Left out: true. Setting it true again re-enables a disabled subscription.
    pub active: Option<bool>,
}

/// What an input says, checked; the URL's host is still to be resolved by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub url: url::Url,
    pub event_types: Vec<EventType>,
    pub description: String,
    pub traeger: Option<Ags>,
    pub active: bool,
}

/// The event types of a list, each once; at least one.
fn read_types(v: &mut Violations, list: &[String]) -> Vec<EventType> {
    if list.is_empty() {
        v.push("/event_types", "must not be empty");
    }
    let mut types = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let pointer = format!("/event_types/{i}");
        if let Some(t) = v.check(&pointer, t.parse::<EventType>()) {
            if types.contains(&t) {
                v.push(&pointer, "is listed twice");
            }
            types.push(t);
        }
    }
    types
}

impl SubscriptionInput {
    /// Checks every field for `owner` (a caller's visibility), with private receivers allowed
    /// or not.
    pub fn read(&self, owner: &Visibility, allow_private: bool) -> Result<Wanted, Vec<Violation>> {
        let mut v = Violations::default();
        let url = v
            .required("/url", &self.url)
            .and_then(|u| v.check("/url", address::check_url(u, allow_private)));
        let event_types = v
            .required("/event_types", &self.event_types)
            .map(|list| read_types(&mut v, list));
        let description = v
            .optional_text("/description", &self.description, MAX_DESCRIPTION_CHARS)
            .map(Option::unwrap_or_default);
        let traeger = match (owner, &self.traeger) {
            (_, None) => Some(owner.only().cloned()),
            (Visibility::All, Some(raw)) => v.check("/traeger", Ags::parse(raw)).map(Some),
            (_, Some(_)) => {
                v.push(
                    "/traeger",
                    "only HMSI chooses a Träger; yours is implied by the token",
                );
                None
            }
        };
        v.into_result(|| {
            Some(Wanted {
                url: url?,
                event_types: event_types?,
                description: description?,
                traeger: traeger?,
                active: self.active.unwrap_or(true),
            })
        })
    }
}

impl Subscription {
    /// A new subscription numbered `n` for `owner`, signing with `secret`.
    pub fn create(
        n: i64,
        owner: &Visibility,
        wanted: Wanted,
        secret: String,
        stamp: &Stamp,
    ) -> SubscriptionTransition {
        Transition {
            state: Subscription {
                id: format!("wh-{n}"),
                owner: owner_of(owner),
                traeger: wanted.traeger,
                url: wanted.url.into(),
                event_types: wanted.event_types,
                description: wanted.description,
                secrets: Secrets {
                    current: secret,
                    previous: None,
                },
                active: wanted.active,
                disabled_reason: None,
                failing_since: None,
                version: 1,
                created_at: stamp.at,
                updated_at: stamp.at,
            },
            event: SubscriptionEvent::Created,
        }
    }

    /// Its new URL, types, description and state; None when nothing changes. Enabling it again
    /// forgets its failures.
    pub fn change(&self, wanted: Wanted, stamp: &Stamp) -> Option<SubscriptionTransition> {
        let same = (
            self.url.as_str(),
            &self.event_types,
            &self.description,
            &self.traeger,
            self.active,
        ) == (
            wanted.url.as_str(),
            &wanted.event_types,
            &wanted.description,
            &wanted.traeger,
            wanted.active,
        );
        if same {
            return None;
        }
        let enabled = wanted.active && !self.active;
        let mut next = self.next(stamp);
        next.url = wanted.url.into();
        next.event_types = wanted.event_types;
        next.description = wanted.description;
        next.traeger = wanted.traeger;
        next.active = wanted.active;
        if enabled {
            next.disabled_reason = None;
            next.failing_since = None;
        }
        Some(Transition {
            state: next,
            event: SubscriptionEvent::Changed,
        })
    }

    /// Signs with `secret` from now on; the current one still signs for [`ROTATION_OVERLAP`].
    pub fn rotate(&self, secret: String, stamp: &Stamp) -> SubscriptionTransition {
        let mut next = self.next(stamp);
        let previous = std::mem::replace(&mut next.secrets.current, secret);
        next.secrets.previous = Some((previous, stamp.at + ROTATION_OVERLAP));
        Transition {
            state: next,
            event: SubscriptionEvent::SecretRotated,
        }
    }

    /// Disabled by the service, for `reason`.
    pub fn disable(&self, reason: &str, stamp: &Stamp) -> SubscriptionTransition {
        let mut next = self.next(stamp);
        next.active = false;
        next.disabled_reason = Some(reason.to_owned());
        Transition {
            state: next,
            event: SubscriptionEvent::Disabled,
        }
    }

    fn next(&self, stamp: &Stamp) -> Subscription {
        Subscription {
            version: self.version + 1,
            updated_at: stamp.at,
            ..self.clone()
        }
    }

    /// Whether `visibility` may see and change it: HMSI every one, others their own.
    pub fn held_by(&self, visibility: &Visibility) -> bool {
        matches!(visibility, Visibility::All) || self.owner == owner_of(visibility)
    }

    /// The audience token of the events it may receive (see `Audience::tokens`); None for all.
    pub fn reader(&self) -> Option<String> {
        if self.owner == "hmsi" {
            self.traeger.as_ref().map(|t| format!("traeger:{t}"))
        } else {
            Some(self.owner.clone())
        }
    }

    /// Whether it is to be sent `notice`: active, of a type it wants, and one its owner may
    /// know of (the rule of reads).
    pub fn wants(&self, notice: &Notice) -> bool {
        self.active
            && self.event_types.contains(&notice.event_type)
            && self.reader().is_none_or(|t| notice.audience.has(&t))
    }
}
