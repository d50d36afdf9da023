//! When a figure is taken: at a reference date (stock), over a period (flow), or for each
//! month (the Kennzahlen of § 48a SGB II). Dates are kept as month and day and resolved against
//! the year asked for, so a stock "at 31 December" stays one definition across years.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::Violations;

/// A day of the year without the year, e.g. 31 December.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn of(date: NaiveDate) -> Self {
        Self {
            month: date.month(),
            day: date.day(),
        }
    }

    /// `MM-DD`, as stored.
    pub fn parse(raw: &str) -> Option<Self> {
        let (m, d) = raw.split_once('-')?;
        let md = Self {
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        // 2024 is a leap year, so 29 February is accepted here and resolved per year.
        NaiveDate::from_ymd_opt(2024, md.month, md.day).map(|_| md)
    }

    /// This day in `year`; 29 February becomes 28 February outside leap years.
    pub fn in_year(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .unwrap_or(NaiveDate::MIN)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// The reference date (stock) or period (flow) of a figure, within the reporting year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    Stock {
        date: MonthDay,
    },
    Flow {
        from: MonthDay,
        to: MonthDay,
    },
    /// One figure per Bezugsmonat (the Kennzahlen of § 48a SGB II, published monthly by BA).
    Monthly,
}

impl Reference {
    /// `stock MM-DD` or `flow MM-DD MM-DD`, as stored.
    pub fn to_text(self) -> String {
        match self {
            Reference::Stock { date } => format!("stock {date}"),
            Reference::Flow { from, to } => format!("flow {from} {to}"),
            Reference::Monthly => "monthly".into(),
        }
    }

    pub fn from_text(text: &str) -> Option<Self> {
        let mut words = text.split(' ');
        let r = match (words.next()?, words.next(), words.next()) {
            ("stock", Some(d), None) => Reference::Stock {
                date: MonthDay::parse(d)?,
            },
            ("flow", Some(f), Some(t)) => Reference::Flow {
                from: MonthDay::parse(f)?,
                to: MonthDay::parse(t)?,
            },
            ("monthly", None, None) => Reference::Monthly,
            _ => return None,
        };
        words.next().is_none().then_some(r)
    }
}

/// Raw reference as a request carries it: concrete dates within the year of validity.
#[derive(Debug, Clone, Default)]
pub struct ReferenceInput {
    pub kind: Option<String>,
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A concrete date of the year of validity (any year when that is unknown).
fn date_in_year(
    v: &mut Violations,
    pointer: &str,
    raw: &Option<String>,
    year: Option<i32>,
) -> Option<MonthDay> {
    let raw = v.required(pointer, raw)?;
    match (NaiveDate::parse_from_str(raw, "%Y-%m-%d"), year) {
        (Ok(d), None) => Some(MonthDay::of(d)),
        (Ok(d), Some(year)) if d.year() == year => Some(MonthDay::of(d)),
        (Ok(_), Some(year)) => {
            v.push(pointer, format!("must lie in the year of validity, {year}"));
            None
        }
        (Err(_), _) => {
            v.push(pointer, "must be a date YYYY-MM-DD");
            None
        }
    }
}

impl ReferenceInput {
    pub(super) fn validate(&self, v: &mut Violations, year: Option<i32>) -> Option<Reference> {
        let kind = v.required("/reference/kind", &self.kind)?;
        match kind.as_str() {
            "stock" => {
                let date = date_in_year(v, "/reference/date", &self.date, year)?;
                Some(Reference::Stock { date })
            }
            "flow" => {
                let from = date_in_year(v, "/reference/from", &self.from, year);
                let to = date_in_year(v, "/reference/to", &self.to, year);
                let (from, to) = (from?, to?);
                if from > to {
                    v.push("/reference/to", "must not lie before `from`");
                    return None;
                }
                Some(Reference::Flow { from, to })
            }
            "monthly" => Some(Reference::Monthly),
            other => {
                v.push(
                    "/reference/kind",
                    format!("`{other}` is not one of: stock, flow, monthly"),
                );
                None
            }
        }
    }
}
