//! The bodies that report through a Träger: the Jugendämter of the Kreis (§ 2 (1), including
//! those of kreisangehörige Städte) and the Schuldnerberatungsstellen (§ 2 (3)). Registered once,
//! they are named the same way in every year's breakdowns; a breakdown may still name a body
//! that is not registered, with a warning.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::actor::Stamp;
use super::audit::Recorded;
use super::submission::{ValueEntry, Warning};
use super::traeger::Ags;
use super::{Event, Transition, Violation, Violations};

string_enum! {
    /// What a reporting body is.
    ReportingBodyKind as "ReportingBodyKind" {
        Jugendamt = "jugendamt",
        Schuldnerberatung = "schuldnerberatung",
        Suchtberatung = "suchtberatung",
        Other = "other",
    }
}

/// The longest name: as long as a breakdown's reporting body may be.
pub const MAX_NAME_CHARS: usize = 200;

/// `rb-<AGS>-<n>`: the n-th body registered for the Träger.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportingBodyId(String);

impl ReportingBodyId {
    pub fn new(traeger: &Ags, n: i64) -> Self {
        Self(format!("{}{n}", Self::prefix(traeger)))
    }

    pub fn prefix(traeger: &Ags) -> String {
        format!("rb-{traeger}-")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Träger the body reports through.
    pub fn traeger(&self) -> Ags {
        Ags::parse(&self.0[3..8]).expect("a parsed id holds an AGS")
    }
}

impl FromStr for ReportingBodyId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let shaped = s
            .strip_prefix("rb-")
            .and_then(|rest| rest.split_once('-'))
            .is_some_and(|(ags, n)| {
                Ags::parse(ags).is_ok()
                    && !n.is_empty()
                    && n.len() <= 9
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !n.starts_with('0')
            });
        if shaped {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "`{s}` is not a reporting body's id, e.g. rb-06633-1"
            ))
        }
    }
}

impl TryFrom<String> for ReportingBodyId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<ReportingBodyId> for String {
    fn from(id: ReportingBodyId) -> String {
        id.0
    }
}

impl fmt::Display for ReportingBodyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingBody {
    pub id: ReportingBodyId,
    pub traeger: Ags,
    pub name: String,
    pub kind: ReportingBodyKind,
    /// A body that no longer reports stays registered, inactive, so old breakdowns still name
    /// a known body.
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Recorded for ReportingBody {
    const ENTITY_TYPE: &'static str = "reporting_body";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportingBodyEvent {
    Registered,
    Changed,
}

impl Event for ReportingBodyEvent {
    fn action(&self) -> &'static str {
        match self {
            ReportingBodyEvent::Registered => "create",
            ReportingBodyEvent::Changed => "update",
        }
    }
}

pub type ReportingBodyTransition = Transition<ReportingBody, ReportingBodyEvent>;

/// A body as a request describes it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportingBodyInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// Left out: active.
    pub active: Option<bool>,
}

impl ReportingBodyInput {
    /// The name as it would be stored (trimmed), if it is a valid one: what to look for among
    /// the Träger's other bodies. An invalid name (empty, too long, holding NUL) is never
    /// looked up; reading the input refuses it.
    pub fn checked_name(&self) -> Option<String> {
        super::parse_text(self.name.as_deref()?, MAX_NAME_CHARS).ok()
    }

    /// Name and kind, checked; `taken` says whether another body of the Träger has the name.
    fn read(&self, taken: bool) -> Result<(String, ReportingBodyKind), Vec<Violation>> {
        let mut v = Violations::default();
        let name = v.text("/name", &self.name, MAX_NAME_CHARS);
        if taken && name.is_some() {
            v.push(
                "/name",
                "another reporting body of the Träger has this name",
            );
        }
        let kind = v
            .required("/kind", &self.kind)
            .and_then(|k| v.check("/kind", k.parse::<ReportingBodyKind>()));
        v.into_result(|| Some((name?, kind?)))
    }
}

impl ReportingBody {
    /// The `n`-th body registered for `traeger`.
    pub fn register(
        traeger: &Ags,
        n: i64,
        input: &ReportingBodyInput,
        taken: bool,
        stamp: &Stamp,
    ) -> Result<ReportingBodyTransition, Vec<Violation>> {
        let (name, kind) = input.read(taken)?;
        Ok(Transition {
            state: ReportingBody {
                id: ReportingBodyId::new(traeger, n),
                traeger: traeger.clone(),
                name,
                kind,
                active: input.active.unwrap_or(true),
                version: 1,
                created_at: stamp.at,
                updated_at: stamp.at,
            },
            event: ReportingBodyEvent::Registered,
        })
    }

    /// Its new name, kind and whether it is active; None when nothing changes.
    pub fn change(
        &self,
        input: &ReportingBodyInput,
        taken: bool,
        stamp: &Stamp,
    ) -> Result<Option<ReportingBodyTransition>, Vec<Violation>> {
        let (name, kind) = input.read(taken)?;
        let active = input.active.unwrap_or(true);
        if (&name, kind, active) == (&self.name, self.kind, self.active) {
            return Ok(None);
        }
        Ok(Some(Transition {
            state: ReportingBody {
                name,
                kind,
                active,
                version: self.version + 1,
                updated_at: stamp.at,
                ..self.clone()
            },
            event: ReportingBodyEvent::Changed,
        }))
    }
}

/// A warning for each breakdown row that names no active registered body of the Träger, so the
/// same body is named the same way every year; the row is taken all the same.
pub fn unregistered(
    traeger: &Ags,
    values: &[ValueEntry],
    registry: &[ReportingBody],
) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, entry) in values.iter().enumerate() {
        for (j, item) in entry.breakdown.iter().enumerate() {
            let known = registry
                .iter()
                .any(|b| b.active && b.name == item.reporting_body);
            if !known {
                out.push(Warning {
                    pointer: format!("/values/{i}/breakdown/{j}/reporting_body"),
                    message: format!(
                        "`{}` is not among the Träger's registered reporting bodies \
                         (GET /api/v1/traeger/{traeger}/reporting-bodies); register it so every \
                         year names it the same way",
                        item.reporting_body,
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figure::Figure;
    use crate::domain::indicator::IndicatorCode;
    use crate::domain::submission::BreakdownItem;
    use crate::domain::testing::{kassel, stamp};

    fn input(name: &str, kind: &str) -> ReportingBodyInput {
        ReportingBodyInput {
            name: Some(name.into()),
            kind: Some(kind.into()),
            active: None,
        }
    }

    #[test]
    fn a_body_is_registered_renamed_and_retired() {
        let at = stamp("landkreis-kassel", "2024-01-10");
        let diakonie = "Schuldner- und Insolvenzberatung der Diakonie Kassel";
        let t = ReportingBody::register(
            &kassel(),
            1,
            &input(diakonie, "schuldnerberatung"),
            false,
            &at,
        )
        .unwrap();
        assert_eq!(t.state.id.as_str(), "rb-06633-1");
        assert_eq!(t.state.id.traeger(), kassel());
        assert!(t.state.active);
        assert_eq!(
            t.state
                .change(&input(diakonie, "schuldnerberatung"), false, &at),
            Ok(None)
        );
        let retired = ReportingBodyInput {
            active: Some(false),
            ..input(diakonie, "schuldnerberatung")
        };
        let changed = t.state.change(&retired, false, &at).unwrap().unwrap();
        assert_eq!((changed.state.active, changed.state.version), (false, 2));
        let refused = ReportingBody::register(&kassel(), 2, &input(" ", "amt"), true, &at);
        let pointers: Vec<String> = refused
            .unwrap_err()
            .into_iter()
            .map(|v| v.pointer)
            .collect();
        assert_eq!(pointers, ["/name", "/kind"]);
        let taken = ReportingBody::register(&kassel(), 2, &input(diakonie, "other"), true, &at);
        assert!(taken.is_err());
    }

    #[test]
    fn breakdowns_naming_no_active_registered_body_are_warned_about() {
        let at = stamp("landkreis-kassel", "2024-01-10");
        let body = |n, name: &str, active| ReportingBody {
            active,
            ..ReportingBody::register(&kassel(), n, &input(name, "schuldnerberatung"), false, &at)
                .unwrap()
                .state
        };
        let registry = [body(1, "Diakonie Kassel", true), body(2, "Caritas", false)];
        let item = |name: &str| BreakdownItem {
            reporting_body: name.into(),
            value: Figure::Count(1),
        };
        let values = [ValueEntry {
            indicator: IndicatorCode::parse("debt_counselling_stock").unwrap(),
            value: Figure::Count(3),
            breakdown: vec![
                item("Diakonie Kassel"),
                item("Caritas"),
                item("Diakonie  Kassel"),
            ],
            note: None,
        }];
        let pointers: Vec<String> = unregistered(&kassel(), &values, &registry)
            .into_iter()
            .map(|w| w.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/values/0/breakdown/1/reporting_body",
                "/values/0/breakdown/2/reporting_body"
            ]
        );
        assert!("rb-06633-0".parse::<ReportingBodyId>().is_err());
        assert!("rb-0663-1".parse::<ReportingBodyId>().is_err());
    }
}
