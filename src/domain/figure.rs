//! A reported value: a count, a euro amount in cents, or a text. Never a binary float.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::indicator::Unit;
use super::parse_text;

pub const MAX_TEXT_CHARS: usize = 20_000;
/// Larger than any count or amount an agreement asks for, small enough to sum without overflow.
const MAX_MAGNITUDE: i64 = 1_000_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Figure {
    Count(i64),
    /// Euro cents.
    Eur(i64),
    Text(String),
}

impl Figure {
    /// Reads a JSON value for an indicator of `unit`: a count is a whole number ≥ 0, an amount
    /// a number ≥ 0 with at most two decimals (as a JSON number or a decimal string), a text a
    /// non-empty string.
    pub fn parse(raw: &serde_json::Value, unit: Unit) -> Result<Figure, String> {
        use serde_json::Value;
        match (unit, raw) {
            (Unit::Text, Value::String(s)) => parse_text(s, MAX_TEXT_CHARS).map(Figure::Text),
            (Unit::Text, _) => Err("must be a text".into()),
            (_, Value::Number(n)) => Self::parse_decimal(&n.to_string(), unit),
            (_, Value::String(s)) => Self::parse_decimal(s.trim(), unit),
            _ => Err(match unit {
                Unit::Count => "must be a whole number ≥ 0".into(),
                _ => "must be an amount ≥ 0 with at most two decimals, e.g. 1250.50".into(),
            }),
        }
    }

    fn parse_decimal(text: &str, unit: Unit) -> Result<Figure, String> {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let whole: Option<i64> = digits(int).then(|| int.parse().ok()).flatten();
        let zeros = frac.bytes().all(|b| b == b'0');
        match (unit, whole) {
            (Unit::Count, Some(n))
                if (frac.is_empty() || (digits(frac) && zeros)) && n <= MAX_MAGNITUDE =>
            {
                Ok(Figure::Count(n))
            }
            (Unit::Count, _) => Err(format!("`{text}` is not a whole number ≥ 0")),
            (Unit::Eur, Some(n))
                if (frac.is_empty() || (digits(frac) && frac.len() <= 2))
                    && n <= MAX_MAGNITUDE / 100 =>
            {
                let cents: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
                Ok(Figure::Eur(n * 100 + cents))
            }
            (Unit::Eur, _) => Err(format!(
                "`{text}` is not an amount ≥ 0 with at most two decimals"
            )),
            (Unit::Text, _) => Err("must be a text".into()),
        }
    }

    /// Counts and cents; None for a text.
    pub fn magnitude(&self) -> Option<i64> {
        match self {
            Figure::Count(n) | Figure::Eur(n) => Some(*n),
            Figure::Text(_) => None,
        }
    }

    /// The same kind of figure holding `n` (a count or cents).
    pub fn with_magnitude(&self, n: i64) -> Figure {
        match self {
            Figure::Eur(_) => Figure::Eur(n),
            _ => Figure::Count(n),
        }
    }

    /// As the API shows it: a count as a JSON number, an amount as a decimal string with two
    /// decimals (exact, unlike a JSON number read into a float), a text as it is.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Figure::Count(n) => serde_json::Value::from(*n),
            Figure::Eur(_) | Figure::Text(_) => serde_json::Value::String(self.to_string()),
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Figure::Count(n) => write!(f, "{n}"),
            Figure::Eur(c) => write!(f, "{}.{:02}", c / 100, c % 100),
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
}
