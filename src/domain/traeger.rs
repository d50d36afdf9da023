//! The kommunale Träger of Hessen and their Jobcenter.

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::audit::Recorded;
use super::{Violation, Violations};

const MAX_NAME_CHARS: usize = 200;
const MAX_JOBCENTER_ID_CHARS: usize = 64;

/// Amtlicher Gemeindeschlüssel of a Kreis or kreisfreie Stadt: five digits, `06` for Hessen,
/// then the Regierungsbezirk (4 Darmstadt, 5 Gießen, 6 Kassel) and two digits for the Kreis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ags(String);

/// The shape of a Hessian Kreisschlüssel as `Ags::parse` accepts it, for the contract.
pub const AGS_PATTERN: &str = "^06[456][0-9]{2}$";

impl Ags {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let b = raw.as_bytes();
        if b.len() != 5 || !b.iter().all(u8::is_ascii_digit) {
            return Err(format!(
                "`{raw}` is not an AGS: five digits expected, e.g. 06633"
            ));
        }
        if !raw.starts_with("06") || !matches!(b[2], b'4' | b'5' | b'6') {
            return Err(format!(
                "`{raw}` is not a Hessian Kreisschlüssel: 064.., 065.. or 066.. expected"
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Ags {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Ags {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Ags> for String {
    fn from(a: Ags) -> String {
        a.0
    }
}

impl fmt::Display for Ags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_enum! {
    /// Landkreis or kreisfreie Stadt: both are kommunale Träger under § 6 Abs. 1 Nr. 2 SGB II.
    TraegerKind as "TraegerKindDto" { Landkreis = "landkreis", KreisfreieStadt = "kreisfreie_stadt" }
}

string_enum! {
    /// zkT: the Träger runs the Jobcenter itself (§ 6a SGB II); gE: a gemeinsame Einrichtung
    /// of Träger and BA (§ 44b SGB II).
    JobcenterForm as "JobcenterFormDto"
        described "`zkt`: zugelassener kommunaler Träger (§ 6a SGB II) runs the Jobcenter itself;\n`ge`: gemeinsame Einrichtung of Träger and BA (§ 44b SGB II)."
        { Zkt = "zkt", Ge = "ge" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jobcenter {
    pub id: String,
    pub name: String,
    pub form: JobcenterForm,
}

/// What HMSI maintains of a Träger; the AGS is its identity and never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraegerContent {
    pub name: String,
    pub kind: TraegerKind,
    pub jobcenter: Jobcenter,
}

impl TraegerContent {
    /// The Träger with its article as an agreement's sentence needs it: "der Landkreis Kassel"
    /// or "die Stadt Kassel" (a Landkreis is masculine, a kreisfreie Stadt feminine), and after
    /// "mit" or "und" "dem Landkreis Kassel", "der Stadt Kassel".
    pub fn with_article(&self, dative: bool) -> String {
        let article = match (self.kind, dative) {
            (TraegerKind::Landkreis, false) => "der",
            (TraegerKind::Landkreis, true) => "dem",
            (TraegerKind::KreisfreieStadt, false) => "die",
            (TraegerKind::KreisfreieStadt, true) => "der",
        };
        format!("{article} {}", self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traeger {
    pub ags: Ags,
    #[serde(flatten)]
    pub content: TraegerContent,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Recorded for Traeger {
    const ENTITY_TYPE: &'static str = "traeger";
    fn entity_id(&self) -> String {
        self.ags.to_string()
    }
}

/// Which Träger a list shows; the caller's visibility narrows it further.
#[derive(Debug, Clone, Default)]
pub struct TraegerFilter {
    pub form: Option<JobcenterForm>,
    pub kind: Option<TraegerKind>,
}

/// Raw, unchecked input for a Träger as it arrives in a request body.
#[derive(Debug, Default, Clone)]
pub struct TraegerInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub jobcenter_id: Option<String>,
    pub jobcenter_name: Option<String>,
    pub jobcenter_form: Option<String>,
}

fn parse_jobcenter_id(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_JOBCENTER_ID_CHARS
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "must be 1 to {MAX_JOBCENTER_ID_CHARS} characters of a-z, 0-9 and -, e.g. jc-06633"
        ))
    }
}

impl TraegerInput {
    /// Checks every field and reports every problem at once.
    pub fn validate(&self) -> Result<TraegerContent, Vec<Violation>> {
        let mut v = Violations::default();
        let name = v.text("/name", &self.name, MAX_NAME_CHARS);
        let kind = v
            .required("/kind", &self.kind)
            .and_then(|k| v.check("/kind", k.parse::<TraegerKind>()));
        let jc_id = v
            .required("/jobcenter/id", &self.jobcenter_id)
            .and_then(|i| v.check("/jobcenter/id", parse_jobcenter_id(i)));
        let jc_name = v.text("/jobcenter/name", &self.jobcenter_name, MAX_NAME_CHARS);
        let jc_form = v
            .required("/jobcenter/form", &self.jobcenter_form)
            .and_then(|f| v.check("/jobcenter/form", f.parse::<JobcenterForm>()));
        v.into_result(|| {
            Some(TraegerContent {
                name: name?,
                kind: kind?,
                jobcenter: Jobcenter {
                    id: jc_id?,
                    name: jc_name?,
                    form: jc_form?,
                },
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ags_accepts_hessian_kreisschluessel_only() {
        for ok in ["06633", "06411", "06531"] {
            assert!(Ags::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["6633", "066330", "09162", "06133", "0663a", "", "０6633"] {
            assert!(Ags::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_reports_every_field_at_once() {
        let input = TraegerInput {
            name: Some("  ".into()),
            kind: Some("bezirk".into()),
            jobcenter_id: Some("JC 1".into()),
            jobcenter_name: None,
            jobcenter_form: Some("zkt".into()),
        };
        let errors = input.validate().unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/name", "/kind", "/jobcenter/id", "/jobcenter/name"]
        );
    }

    #[test]
    fn valid_input_trims_names() {
        let input = TraegerInput {
            name: Some(" Landkreis Kassel ".into()),
            kind: Some("landkreis".into()),
            jobcenter_id: Some("jc-06633".into()),
            jobcenter_name: Some("Jobcenter Landkreis Kassel".into()),
            jobcenter_form: Some("ge".into()),
        };
        let content = input.validate().unwrap();
        assert_eq!(content.name, "Landkreis Kassel");
        assert_eq!(content.jobcenter.form, JobcenterForm::Ge);
    }
}
