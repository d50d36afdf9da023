//! HMSI's request to BA statistics, checked against what BA can be asked for in its year.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::Served;
use crate::domain::indicator::{Catalogue, IndicatorCode, Measure, Source, parse_year};
use crate::domain::{Violation, Violations};

/// A request to BA statistics, as HMSI sends it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestInput {
    pub year: Option<i64>,
    pub indicators: Option<Vec<String>>,
    pub ba_reference: Option<String>,
    pub requested_on: Option<String>,
    pub note: Option<String>,
}

/// What BA can be asked for in a year: the catalogue, and the indicators some obligation of
/// the year has a Träger receive (§ 2 (2), (4), (5), § 3 (3)); the others HMSI keeps (§ 4).
#[derive(Debug, Clone, Default)]
pub struct BaOffer {
    pub catalogue: Catalogue,
    pub to_traeger: HashSet<IndicatorCode>,
}

/// A request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransmissionRequest {
    pub year: i32,
    pub ba_reference: String,
    pub requested_on: NaiveDate,
    pub note: Option<String>,
    pub indicators: Vec<Served>,
}

impl RequestInput {
    /// The year asked for, if it is one; the offer of that year is what the rest is checked
    /// against.
    pub fn year(&self) -> Option<i32> {
        self.year.and_then(|y| parse_year(y).ok())
    }

    /// Checks every field, reporting every problem. `offer` is the offer of [`Self::year`]
    /// (none when the year is not valid: the indicators are then not checked).
    pub fn validate(
        &self,
        today: NaiveDate,
        offer: Option<&BaOffer>,
    ) -> Result<TransmissionRequest, Vec<Violation>> {
        let mut v = Violations::default();
        let year = v
            .required("/year", &self.year)
            .and_then(|y| v.check("/year", parse_year(*y)));
        let reference = v.text("/ba_reference", &self.ba_reference, 200);
        let requested_on = v
            .required("/requested_on", &self.requested_on)
            .and_then(|d| v.check("/requested_on", not_after(d, today)));
        let note = v.optional_text("/note", &self.note, 2000);
        let served = self.served(&mut v, year.zip(offer));
        v.into_result(|| {
            Some(TransmissionRequest {
                year: year?,
                ba_reference: reference?,
                requested_on: requested_on?,
                note: note?,
                indicators: served,
            })
        })
    }

    fn served(&self, v: &mut Violations, offer: Option<(i32, &BaOffer)>) -> Vec<Served> {
        let mut served: Vec<Served> = Vec::new();
        let list = match &self.indicators {
            None => {
                v.push("/indicators", "is required");
                return served;
            }
            Some(list) if list.is_empty() => {
                v.push("/indicators", "needs at least one indicator");
                return served;
            }
            Some(list) => list,
        };
        let Some((year, offer)) = offer else {
            return served;
        };
        for (i, raw) in list.iter().enumerate() {
            let at = format!("/indicators/{i}");
            let Some(code) = v.check(&at, IndicatorCode::parse(raw)) else {
                continue;
            };
            match offer.catalogue.get(&code) {
                None => v.push(at, format!("no indicator `{code}` is valid in {year}")),
                Some(ind) if ind.definition.source != Source::Ba => v.push(
                    at,
                    format!("`{code}` is reported by the Träger, not by BA statistics"),
                ),
                Some(_) if served.iter().any(|s| s.code == code) => v.push(at, "is listed twice"),
                Some(ind) => served.push(Served {
                    // The Kennzahlen of § 48a are published for every Jobcenter: each Träger
                    // receives its own, whatever its agreement asks for.
                    forwardable: offer.to_traeger.contains(&code)
                        || ind.definition.measure == Measure::Quotient,
                    section: ind.definition.section.clone(),
                    unit: ind.definition.unit,
                    code,
                }),
            }
        }
        served
    }
}

fn not_after(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "must be a date YYYY-MM-DD".to_owned())?;
    if d > today {
        Err(format!("{d} lies in the future"))
    } else {
        Ok(d)
    }
}
