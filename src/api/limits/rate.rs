//! A rate as operators write it: `6000/min`, `100/s`, `20000/h`, or `off`.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::Quota;

/// At most `count` requests per `per`, in bursts of up to `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Second,
    Minute,
    Hour,
}

impl Unit {
    fn length(self) -> Duration {
        Duration::from_secs(match self {
            Unit::Second => 1,
            Unit::Minute => 60,
            Unit::Hour => 3600,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
        }
    }
}

/// A limit that may be off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit(pub Option<Rate>);

impl RateLimit {
    /// `off` (or `0`), or a count per `s`, `min` or `h`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("off") || raw == "0" {
            return Ok(RateLimit(None));
        }
        let shape = || format!("`{raw}`: expected a count per s, min or h (e.g. 6000/min), or off");
        let (count, unit) = raw.split_once('/').ok_or_else(shape)?;
        let count: u32 = count.trim().parse().map_err(|_| shape())?;
        let unit = match unit.trim() {
            "s" | "sec" | "second" => Unit::Second,
            "min" | "m" | "minute" => Unit::Minute,
            "h" | "hour" => Unit::Hour,
            _ => return Err(shape()),
        };
        Ok(RateLimit(
            NonZeroU32::new(count).map(|count| Rate { count, unit }),
        ))
    }
}

impl Rate {
    /// One request more every `per / count`, up to `count` at once (GCRA).
    pub fn quota(&self) -> Quota {
        let every = self.unit.length() / self.count.get();
        Quota::with_period(every.max(Duration::from_nanos(1)))
            .expect("a period of at least a nanosecond")
            .allow_burst(self.count)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} requests per {}", self.count, self.unit.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_operators_write_them() {
        let rate = RateLimit::parse("6000/min").unwrap().0.unwrap();
        assert_eq!(rate.to_string(), "6000 requests per minute");
        assert_eq!(rate.quota().replenish_interval(), Duration::from_millis(10));
        assert_eq!(rate.quota().burst_size().get(), 6000);
        assert_eq!(
            RateLimit::parse(" 5 / s ").unwrap().0.unwrap().to_string(),
            "5 requests per second"
        );
        assert_eq!(RateLimit::parse("off").unwrap(), RateLimit(None));
        assert_eq!(RateLimit::parse("0").unwrap(), RateLimit(None));
        for bad in ["6000", "many/min", "10/day", "-1/s", ""] {
            assert!(RateLimit::parse(bad).is_err(), "{bad}");
        }
    }
}
