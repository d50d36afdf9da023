//! Who acts: the three roles of the agreement (see DOMAIN.md) and the system itself.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::agreement::Recipient;
use super::traeger::Ags;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The ministry: signs every agreement, receives and reviews, forwards BA data.
    Hmsi,
    /// One kommunaler Träger: sees and delivers only its own data.
    Traeger,
    /// The Jobcenter of one Träger: receives the Träger's figures.
    Jobcenter,
    /// The service itself, e.g. when it loads reference data at start-up.
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hmsi => "hmsi",
            Role::Traeger => "traeger",
            Role::Jobcenter => "jobcenter",
            Role::System => "system",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Only the three roles a token may carry; `system` is never accepted from outside.
impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hmsi" => Ok(Role::Hmsi),
            "traeger" => Ok(Role::Traeger),
            "jobcenter" => Ok(Role::Jobcenter),
            other => Err(format!("unknown role `{other}`")),
        }
    }
}

/// The author of a write, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub sub: String,
    pub role: Role,
    pub traeger: Option<Ags>,
    pub request_id: String,
}

impl Actor {
    pub fn system(what: &str) -> Self {
        Self {
            sub: format!("system:{what}"),
            role: Role::System,
            traeger: None,
            request_id: format!("{what}-{}", uuid::Uuid::new_v4()),
        }
    }
}

/// The id of the request a write belongs to, as the response's `X-Request-Id` repeats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Who acts and when: the `sub` that the ledger and the object record, the time of the write,
/// and the business date in Germany against which deadlines and signing dates are judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub by: String,
    pub at: NaiveDateTime,
    pub today: NaiveDate,
}

/// Which Träger's objects a principal may see: all (HMSI) or exactly one's. Every read of
/// Träger-owned rows takes one, so no query can forget it. `All` comes from the policy (an
/// HMSI token), and otherwise only where the service asks about every Träger and shows the
/// caller none of them: its own start-up, whether an AGS is taken, the standing derived from
/// every transmission, and a change that applies to a whole transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// The Träger itself: everything of its own.
    Traeger(Ags),
    /// The Jobcenter of one Träger: the Träger's agreements and forwarded BA data, but of its
    /// submissions only what was delivered to the Jobcenter (DOMAIN.md: it receives the
    /// figures of § 2 (1) and (3), not the § 3 (3) report that goes to HMSI alone, and never a
    /// draft).
    Jobcenter(Ags),
}

impl Visibility {
    pub fn sees(&self, ags: &Ags) -> bool {
        self.only().is_none_or(|own| own == ags)
    }

    /// The one Träger a query must be restricted to, if any.
    pub fn only(&self) -> Option<&Ags> {
        match self {
            Visibility::All => None,
            Visibility::Traeger(own) | Visibility::Jobcenter(own) => Some(own),
        }
    }

    /// Whether the caller sees a Träger's submissions only as one of their recipients: then
    /// only those addressed to it, and only what was delivered.
    pub fn as_recipient(&self) -> Option<Recipient> {
        match self {
            Visibility::Jobcenter(_) => Some(Recipient::Jobcenter),
            _ => None,
        }
    }

    /// What the Träger itself sees: for the standing of an obligation, which is shown to
    /// anyone who may read the agreement, while the submissions it is derived from are not.
    pub fn owner(&self) -> Visibility {
        match self {
            Visibility::Jobcenter(own) => Visibility::Traeger(own.clone()),
            other => other.clone(),
        }
    }
}
