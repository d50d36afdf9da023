//! What an answer of a receiver means for a delivery: done, tried again later, or given up.
//! At least once: anything short of a 2xx is tried again, on a schedule that spreads the
//! attempts over about a day and a half, so a receiver that is down over a night and a
//! morning still gets everything.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The waits before the 2nd, 3rd … 8th attempt; after the 8th the delivery has failed.
pub const SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// The longest `Retry-After` honoured: as long as the schedule's longest wait.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10 * 3600);

/// A subscription whose deliveries all failed for this long is disabled.
pub const DISABLE_AFTER: TimeDelta = TimeDelta::days(5);

/// What came back from one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Status {
        code: u16,
        retry_after: Option<Duration>,
    },
    /// No answer: refused, timed out, TLS failed, or an address it may not call.
    Unreachable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    RetryAt(NaiveDateTime),
    Failed,
    /// 410 Gone: the receiver says it never wants another; the subscription is disabled.
    Gone,
}

/// The verdict on attempt number `attempt` (from 1), answered at `now`.
pub fn judge(
    answer: &Answer,
    attempt: usize,
    now: NaiveDateTime,
    schedule: &[Duration],
) -> Verdict {
    let wait = match answer {
        Answer::Status {
            code: 200..=299, ..
        } => return Verdict::Delivered,
        Answer::Status { code: 410, .. } => return Verdict::Gone,
        _ if attempt > schedule.len() => return Verdict::Failed,
        Answer::Status {
            code: 429 | 503,
            retry_after: Some(asked),
        } => (*asked).min(MAX_RETRY_AFTER),
        _ => schedule[attempt - 1],
    };
    Verdict::RetryAt(now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX))
}

/// `Retry-After` (RFC 9110 § 10.2.3): seconds, or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// Whether a subscription failing since `since` has failed for too long at `now`.
pub fn failed_too_long(since: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    since.is_some_and(|s| now - s >= DISABLE_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        s.parse().unwrap()
    }

    fn status(code: u16) -> Answer {
        Answer::Status {
            code,
            retry_after: None,
        }
    }

    #[test]
    fn the_schedule_then_failed() {
        let now = at("2024-02-20T10:00:00");
        let waits: Vec<Verdict> = (1..=8)
            .map(|n| judge(&status(500), n, now, &SCHEDULE))
            .collect();
        let expected = [
            "10:00:05", "10:05:00", "10:30:00", "12:00:00", "15:00:00", "20:00:00",
        ];
        for (v, t) in waits.iter().zip(expected) {
            assert_eq!(*v, Verdict::RetryAt(at(&format!("2024-02-20T{t}"))));
        }
        assert_eq!(waits[6], Verdict::RetryAt(at("2024-02-20T20:00:00")));
        assert_eq!(waits[7], Verdict::Failed);
        let unreachable = Answer::Unreachable("connection refused".into());
        assert_eq!(judge(&unreachable, 8, now, &SCHEDULE), Verdict::Failed);
    }

    #[test]
    fn success_gone_and_retry_after() {
        let now = at("2024-02-20T10:00:00");
        assert_eq!(judge(&status(204), 3, now, &SCHEDULE), Verdict::Delivered);
        assert_eq!(judge(&status(410), 1, now, &SCHEDULE), Verdict::Gone);
        let busy = Answer::Status {
            code: 429,
            retry_after: Some(Duration::from_secs(120)),
        };
        assert_eq!(
            judge(&busy, 1, now, &SCHEDULE),
            Verdict::RetryAt(at("2024-02-20T10:02:00"))
        );
        let greedy = Answer::Status {
            code: 503,
            retry_after: Some(Duration::from_secs(7 * 24 * 3600)),
        };
        assert_eq!(
            judge(&greedy, 1, now, &SCHEDULE),
            Verdict::RetryAt(at("2024-02-20T20:00:00")),
            "capped"
        );
        // A Retry-After on another status is not a promise to honour.
        let other = Answer::Status {
            code: 500,
            retry_after: Some(Duration::from_secs(120)),
        };
        assert_eq!(
            judge(&other, 1, now, &SCHEDULE),
            Verdict::RetryAt(at("2024-02-20T10:00:05"))
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now: DateTime<Utc> = "2015-10-21T07:27:00Z".parse().unwrap();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn five_days_of_failure_disable() {
        let now = at("2024-02-20T10:00:00");
        assert!(!failed_too_long(None, now));
        assert!(!failed_too_long(Some(at("2024-02-15T10:00:01")), now));
        assert!(failed_too_long(Some(at("2024-02-15T10:00:00")), now));
    }
}
