//! The German civil date. The agreements set their deadlines as German dates ("bis zum
//! 15. Februar"), so a figure sent at 00:30 in Kassel on 16 February is late even though it is
//! still the 15th in UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("the first of a month exists");
    let last = first_of_next.pred_opt().expect("a month has a last day");
    last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

/// The offset of German time from UTC at `at`: CEST (UTC+2) from the last Sunday of March,
/// 01:00 UTC, to the last Sunday of October, 01:00 UTC; CET (UTC+1) otherwise. This is the
/// summer time of Directive 2000/84/EC, which Germany applies under the Zeitgesetz; it has
/// not changed since 1996, and a change would need an act of the EU.
pub fn german_offset(at: DateTime<Utc>) -> Duration {
    let year = at.year();
    let switch = |month| {
        last_sunday(year, month)
            .and_hms_opt(1, 0, 0)
            .expect("01:00 exists")
            .and_utc()
    };
    if at >= switch(3) && at < switch(10) {
        Duration::hours(2)
    } else {
        Duration::hours(1)
    }
}

/// The date on a calendar in Germany at `at`.
pub fn german_date(at: DateTime<Utc>) -> NaiveDate {
    (at + german_offset(at)).date_naive()
}

/// A month of a year as `2024-07`, or the year itself as `2024` when no month is named: how a
/// Bezugsmonat or a period judged on is written everywhere.
pub fn period(year: i32, month: Option<u32>) -> String {
    match month {
        Some(m) => format!("{year}-{m:02}"),
        None => year.to_string(),
    }
}

/// `2024-07` as its year and month; None for anything else.
pub fn year_month(raw: &str) -> Option<(i32, u32)> {
    let (y, m) = raw.split_once('-')?;
    let year = (y.len() == 4).then(|| y.parse().ok()).flatten()?;
    let month = (m.len() == 2)
        .then(|| m.parse().ok())
        .flatten()
        .filter(|m| (1..=12).contains(m))?;
    Some((year, month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn last_sundays_of_march_and_october() {
        assert_eq!(last_sunday(2024, 3), date("2024-03-31"));
        assert_eq!(last_sunday(2024, 10), date("2024-10-27"));
        assert_eq!(last_sunday(2025, 3), date("2025-03-30"));
        assert_eq!(last_sunday(2026, 10), date("2026-10-25"));
        assert_eq!(last_sunday(2023, 12), date("2023-12-31"));
        assert_eq!(last_sunday(2023, 12).weekday(), Weekday::Sun);
    }

    #[test]
    fn a_winter_night_after_midnight_in_kassel_is_the_next_day() {
        // 00:30 CET on 16 February is 23:30 UTC on the 15th: the deadline of the 15th has passed.
        assert_eq!(german_date(utc("2024-02-15T23:30:00Z")), date("2024-02-16"));
        assert_eq!(german_date(utc("2024-02-15T22:59:59Z")), date("2024-02-15"));
    }

    #[test]
    fn summer_time_is_two_hours_ahead() {
        assert_eq!(german_date(utc("2024-06-30T22:30:00Z")), date("2024-07-01"));
        assert_eq!(german_date(utc("2024-06-30T21:59:59Z")), date("2024-06-30"));
    }

    #[test]
    fn the_switches_happen_at_one_o_clock_utc() {
        assert_eq!(
            german_offset(utc("2024-03-31T00:59:59Z")),
            Duration::hours(1)
        );
        assert_eq!(
            german_offset(utc("2024-03-31T01:00:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            german_offset(utc("2024-10-27T00:59:59Z")),
            Duration::hours(2)
        );
        assert_eq!(
            german_offset(utc("2024-10-27T01:00:00Z")),
            Duration::hours(1)
        );
        // New Year's Eve: 23:30 UTC is already the new year in Germany.
        assert_eq!(german_date(utc("2024-12-31T23:30:00Z")), date("2025-01-01"));
    }
}
