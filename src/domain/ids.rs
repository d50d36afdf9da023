//! The identifiers of agreements, obligations, submissions and transmissions. Each has its own
//! type and grammar, so one can never be passed where another is meant, and an id that cannot
//! exist is refused where it enters the service.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::traeger::Ags;

/// A text id of one grammar: parsed once, then only passed around.
macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident, $what:literal, $example:literal, $valid:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, String> {
                let valid: fn(&str) -> bool = $valid;
                if valid(raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(format!("`{raw}` is not {}, e.g. {}", $what, $example))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// One or more digits without a leading zero: a running number from 1.
fn number(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('0') && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

fn year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `zv-2023-06633-1`: year, Träger, running number.
fn agreement_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("zv-") else {
        return false;
    };
    let mut parts = rest.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(y), Some(ags), Some(n), None) if year(y) && Ags::parse(ags).is_ok() && number(n)
    )
}

fn obligation_id(s: &str) -> bool {
    s.rsplit_once('.')
        .is_some_and(|(agreement, position)| agreement_id(agreement) && number(position))
}

text_id! {
    /// `zv-2023-06633-1`: the `n`th agreement of a Träger for a year (a successor drafted while
    /// one is signed is the second).
    AgreementId, "an agreement id", "zv-2023-06633-1", agreement_id
}

text_id! {
    /// `zv-2023-06633-1.3`: the third obligation of an agreement. Stable once the agreement is
    /// signed; submissions refer to it.
    ObligationId, "an obligation id", "zv-2023-06633-1.3", obligation_id
}

text_id! {
    /// `sub-zv-2023-06633-1.3`: the one submission of an obligation.
    SubmissionId, "a submission id", "sub-zv-2023-06633-1.3", |s| s.strip_prefix("sub-").is_some_and(obligation_id)
}

text_id! {
    /// `ba-2023-1`: the `n`th request to BA statistics for a year.
    TransmissionId, "a transmission id", "ba-2023-1", |s| {
        s.strip_prefix("ba-")
            .and_then(|rest| rest.split_once('-'))
            .is_some_and(|(y, n)| year(y) && number(n))
    }
}

impl AgreementId {
    pub fn new(year: i32, traeger: &Ags, n: i64) -> Self {
        Self(format!("{}{n}", Self::prefix(year, traeger)))
    }

    /// What the ids of a Träger's agreements of a year start with, before their number.
    pub fn prefix(year: i32, traeger: &Ags) -> String {
        format!("zv-{year}-{traeger}-")
    }

    /// The obligation at `position` (from 0) of this agreement.
    pub fn obligation(&self, position: usize) -> ObligationId {
        ObligationId(format!("{self}.{}", position + 1))
    }
}

impl ObligationId {
    pub fn agreement(&self) -> AgreementId {
        let (agreement, _) = self.0.rsplit_once('.').unwrap_or((&self.0, ""));
        AgreementId(agreement.to_owned())
    }
}

impl SubmissionId {
    pub fn of(obligation: &ObligationId) -> Self {
        Self(format!("sub-{obligation}"))
    }

    pub fn obligation(&self) -> ObligationId {
        ObligationId(self.0["sub-".len()..].to_owned())
    }
}

impl TransmissionId {
    pub fn new(year: i32, n: i64) -> Self {
        Self(format!("{}{n}", Self::prefix(year)))
    }

    /// What the ids of a year's requests start with, before their number.
    pub fn prefix(year: i32) -> String {
        format!("ba-{year}-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_built_and_read_back_by_one_grammar() {
        let kassel = Ags::parse("06633").unwrap();
        let agreement = AgreementId::new(2023, &kassel, 1);
        assert_eq!(agreement.as_str(), "zv-2023-06633-1");
        let obligation = agreement.obligation(2);
        assert_eq!(obligation.as_str(), "zv-2023-06633-1.3");
        assert_eq!(obligation.agreement(), agreement);
        let submission = SubmissionId::of(&obligation);
        assert_eq!(submission.as_str(), "sub-zv-2023-06633-1.3");
        assert_eq!(submission.obligation(), obligation);
        for id in [agreement.as_str(), obligation.as_str(), submission.as_str()] {
            assert!(id.parse::<AgreementId>().is_ok() == (id == agreement.as_str()));
        }
        assert_eq!(SubmissionId::parse(submission.as_str()), Ok(submission));
        assert_eq!(TransmissionId::new(2023, 12).as_str(), "ba-2023-12");
    }

    #[test]
    fn ids_that_cannot_exist_are_refused() {
        for bad in [
            "zv-2023-06633",
            "zv-2023-09162-1",
            "zv-2023-06633-0",
            "zv-2023-06633-1-2",
            "zv-23-06633-1",
            "zv-2023-06633-1\0",
            "",
        ] {
            assert!(AgreementId::parse(bad).is_err(), "{bad:?}");
        }
        for bad in ["zv-2023-06633-1", "zv-2023-06633-1.", "zv-2023-06633-1.01"] {
            assert!(ObligationId::parse(bad).is_err(), "{bad:?}");
        }
        for bad in ["zv-2023-06633-1.3", "sub-t-zv-2023-06633-1.3", "sub-"] {
            assert!(SubmissionId::parse(bad).is_err(), "{bad:?}");
        }
        for bad in ["ba-2023", "ba-2023-x", "ba-2023-1-1", "BA-2023-1"] {
            assert!(TransmissionId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            TransmissionId::parse("ba-1").unwrap_err(),
            "`ba-1` is not a transmission id, e.g. ba-2023-1"
        );
    }
}
