//! A reported value: a count, a euro amount in cents, a quotient (percent or ratio) as a
//! signed fixed decimal, or a text. Never a binary float.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::indicator::Unit;
use super::parse_text;

pub const MAX_TEXT_CHARS: usize = 20_000;
/// Larger than any count or amount an agreement asks for, small enough to sum without overflow.
const MAX_MAGNITUDE: i64 = 1_000_000_000_000_000;
/// Decimals a percent keeps: BA publishes the Kennzahlen with one or two, targets use two.
pub const PERCENT_DECIMALS: u32 = 4;
/// Decimals a ratio keeps (K1 and K3 as the KennzahlenV defines them: this month ÷ a year ago).
pub const RATIO_DECIMALS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Figure {
    Count(i64),
    /// Euro cents.
    Eur(i64),
    /// Ten-thousandths of a percent; negative for a fall (§ 48a: K1 and K3 are changes).
    Percent(i64),
    /// Millionths.
    Ratio(i64),
    Text(String),
}

/// `text` as a decimal with at most `decimals` places, signed when `signed`: the value times
/// 10^decimals. None when it is not such a number or too large.
fn scaled_decimal(text: &str, decimals: u32, signed: bool) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) if signed => (true, rest),
        Some(_) => return None,
        None => (false, text),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let frac_ok = frac.is_empty() || (digits(frac) && frac.len() <= decimals as usize);
    if !digits(int) || !frac_ok || int.len() > 15 {
        return None;
    }
    let scale = 10_i64.pow(decimals);
    let whole: i64 = int.parse().ok()?;
    let part: i64 = if decimals == 0 {
        0
    } else {
        format!("{frac:0<width$}", width = decimals as usize)
            .parse()
            .ok()?
    };
    let n = whole.checked_mul(scale)?.checked_add(part)?;
    (n <= MAX_MAGNITUDE).then_some(if negative { -n } else { n })
}

/// `n` / 10^decimals as the shortest exact decimal: `-7`, `22.3`, `0.25`.
fn write_scaled(f: &mut fmt::Formatter<'_>, n: i64, decimals: u32) -> fmt::Result {
    let scale = 10_i64.pow(decimals);
    let sign = if n < 0 { "-" } else { "" };
    let (whole, part) = (
        n.unsigned_abs() / scale as u64,
        n.unsigned_abs() % scale as u64,
    );
    let frac = format!("{part:0width$}", width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        write!(f, "{sign}{whole}")
    } else {
        write!(f, "{sign}{whole}.{frac}")
    }
}

impl Figure {
    /// Reads a JSON value for an indicator of `unit`: a count is a whole number ≥ 0, an amount
    /// a number ≥ 0 with at most two decimals, a percent or ratio a signed decimal (as a JSON
    /// number or a decimal string), a text a non-empty string.
    pub fn parse(raw: &serde_json::Value, unit: Unit) -> Result<Figure, String> {
        use serde_json::Value;
        match (unit, raw) {
            (Unit::Text, Value::String(s)) => parse_text(s, MAX_TEXT_CHARS).map(Figure::Text),
            (Unit::Text, _) => Err("must be a text".into()),
            (_, Value::Number(n)) => Self::parse_decimal(&n.to_string(), unit),
            (_, Value::String(s)) => Self::parse_decimal(s.trim(), unit),
            _ => Err(Self::expected(unit)),
        }
    }

    /// What a value of `unit` must be, as a refusal says it.
    fn expected(unit: Unit) -> String {
        match unit {
            Unit::Count => "must be a whole number ≥ 0".into(),
            Unit::Eur => "must be an amount ≥ 0 with at most two decimals, e.g. 1250.50".into(),
            Unit::Percent => {
                format!("must be a percentage with at most {PERCENT_DECIMALS} decimals, e.g. -7.25")
            }
            Unit::Ratio => {
                format!("must be a ratio with at most {RATIO_DECIMALS} decimals, e.g. 0.9725")
            }
            Unit::Text => "must be a text".into(),
        }
    }

    fn parse_decimal(text: &str, unit: Unit) -> Result<Figure, String> {
        let parsed = match unit {
            // A count may be written with zero decimals (`412.0`), never with others.
            Unit::Count => text
                .split_once('.')
                .is_none_or(|(_, f)| f.bytes().all(|b| b == b'0'))
                .then(|| scaled_decimal(text.split('.').next().unwrap_or(""), 0, false))
                .flatten()
                .map(Figure::Count),
            Unit::Eur => scaled_decimal(text, 2, false).map(Figure::Eur),
            Unit::Percent => scaled_decimal(text, PERCENT_DECIMALS, true).map(Figure::Percent),
            Unit::Ratio => scaled_decimal(text, RATIO_DECIMALS, true).map(Figure::Ratio),
            Unit::Text => return Err("must be a text".into()),
        };
        parsed.ok_or_else(|| match unit {
            Unit::Count => format!("`{text}` is not a whole number ≥ 0"),
            Unit::Eur => format!("`{text}` is not an amount ≥ 0 with at most two decimals"),
            _ => format!(
                "`{text}` {}",
                Self::expected(unit).replacen("must be", "is not", 1)
            ),
        })
    }

    /// The unit of the figure.
    pub fn unit(&self) -> Unit {
        match self {
            Figure::Count(_) => Unit::Count,
            Figure::Eur(_) => Unit::Eur,
            Figure::Percent(_) => Unit::Percent,
            Figure::Ratio(_) => Unit::Ratio,
            Figure::Text(_) => Unit::Text,
        }
    }

    /// The number as stored: the count, the cents, the scaled quotient; None for a text.
    pub fn scaled(&self) -> Option<i64> {
        match self {
            Figure::Count(n) | Figure::Eur(n) | Figure::Percent(n) | Figure::Ratio(n) => Some(*n),
            Figure::Text(_) => None,
        }
    }

    /// A number as stored, back as a figure of `unit`; None for a text.
    pub fn from_scaled(unit: Unit, n: i64) -> Option<Figure> {
        match unit {
            Unit::Count => Some(Figure::Count(n)),
            Unit::Eur => Some(Figure::Eur(n)),
            Unit::Percent => Some(Figure::Percent(n)),
            Unit::Ratio => Some(Figure::Ratio(n)),
            Unit::Text => None,
        }
    }

    /// The number as a float, for drawing only: never stored, summed or compared.
    pub fn approx(&self) -> Option<f64> {
        let n = self.scaled()? as f64;
        Some(match self {
            Figure::Eur(_) => n / 100.0,
            Figure::Percent(_) => n / 10f64.powi(PERCENT_DECIMALS as i32),
            Figure::Ratio(_) => n / 10f64.powi(RATIO_DECIMALS as i32),
            _ => n,
        })
    }

    /// Counts and cents, which add up (parts and breakdowns); None for quotients and texts.
    pub fn magnitude(&self) -> Option<i64> {
        match self {
            Figure::Count(n) | Figure::Eur(n) => Some(*n),
            Figure::Percent(_) | Figure::Ratio(_) | Figure::Text(_) => None,
        }
    }

    /// The same kind of figure holding `n` (a count or cents).
    pub fn with_magnitude(&self, n: i64) -> Figure {
        match self {
            Figure::Eur(_) => Figure::Eur(n),
            _ => Figure::Count(n),
        }
    }

    /// As the API shows it: a count as a JSON number; an amount or a quotient as a decimal
    /// string (exact, unlike a JSON number read into a float); a text as it is.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Figure::Count(n) => serde_json::Value::from(*n),
            _ => serde_json::Value::String(self.to_string()),
        }
    }
}

impl Figure {
    /// As German spreadsheets read a number: a decimal comma (`1234,50`, `-0,25`); a text as
    /// it is.
    pub fn with_decimal_comma(&self) -> String {
        match self {
            Figure::Text(t) => t.clone(),
            number => number.to_string().replace('.', ","),
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Figure::Count(n) => write!(f, "{n}"),
            Figure::Eur(c) => write!(f, "{}.{:02}", c / 100, c % 100),
            Figure::Percent(n) => write_scaled(f, *n, PERCENT_DECIMALS),
            Figure::Ratio(n) => write_scaled(f, *n, RATIO_DECIMALS),
            Figure::Text(t) => f.write_str(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_are_whole_and_non_negative() {
        assert_eq!(
            Figure::parse(&json!(412), Unit::Count),
            Ok(Figure::Count(412))
        );
        assert_eq!(
            Figure::parse(&json!("412"), Unit::Count),
            Ok(Figure::Count(412))
        );
        assert_eq!(
            Figure::parse(&json!(412.0), Unit::Count),
            Ok(Figure::Count(412))
        );
        for bad in [
            json!(-1),
            json!(1.5),
            json!("x"),
            json!(null),
            json!(true),
            json!("1e3"),
        ] {
            assert!(Figure::parse(&bad, Unit::Count).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_keep_their_cents_exactly() {
        assert_eq!(
            Figure::parse(&json!(1234.56), Unit::Eur),
            Ok(Figure::Eur(123_456))
        );
        assert_eq!(Figure::parse(&json!("0.1"), Unit::Eur), Ok(Figure::Eur(10)));
        assert_eq!(
            Figure::parse(&json!(80000), Unit::Eur),
            Ok(Figure::Eur(8_000_000))
        );
        assert_eq!(Figure::Eur(123_456).to_string(), "1234.56");
        assert_eq!(Figure::Eur(5).to_string(), "0.05");
        assert!(Figure::parse(&json!(1.234), Unit::Eur).is_err());
        assert!(Figure::parse(&json!(-0.5), Unit::Eur).is_err());
    }

    #[test]
    fn texts_are_non_empty() {
        assert!(Figure::parse(&json!("  "), Unit::Text).is_err());
        assert!(Figure::parse(&json!(5), Unit::Text).is_err());
        assert_eq!(
            Figure::parse(&json!(" Bericht "), Unit::Text),
            Ok(Figure::Text("Bericht".into()))
        );
    }

    #[test]
    fn quotients_are_signed_fixed_decimals() {
        assert_eq!(
            Figure::parse(&json!(-7.0), Unit::Percent),
            Ok(Figure::Percent(-70_000))
        );
        assert_eq!(
            Figure::parse(&json!("22.35"), Unit::Percent),
            Ok(Figure::Percent(223_500))
        );
        assert_eq!(Figure::Percent(-2_500).to_string(), "-0.25");
        assert_eq!(Figure::Percent(223_000).to_string(), "22.3");
        assert_eq!(Figure::Percent(-70_000).to_string(), "-7");
        assert_eq!(
            Figure::parse(&json!("0.972513"), Unit::Ratio),
            Ok(Figure::Ratio(972_513))
        );
        assert_eq!(Figure::Ratio(1_000_000).to_json(), json!("1"));
        for bad in [
            json!("1.23456"),
            json!("--1"),
            json!("1e2"),
            json!(""),
            json!("-"),
        ] {
            assert!(Figure::parse(&bad, Unit::Percent).is_err(), "{bad}");
        }
        assert_eq!(
            Figure::Percent(5).magnitude(),
            None,
            "quotients do not add up"
        );
        assert_eq!(
            Figure::from_scaled(Unit::Percent, -5),
            Some(Figure::Percent(-5))
        );
    }
}
