//! Target against actual: each target of an agreement judged on BA's figures of the Träger,
//! month by month, with the Datenstand (data vintage) each month rests on. BA revises published
//! months, so the figures known at `as_of` are those with the latest Datenstand up to then: a
//! judgement read before a revision and after it may differ, and both are reproducible.

use chrono::NaiveDate;

use super::targets::{Comparison, Operator, Target};
use crate::domain::calendar::german_date;
use crate::domain::figure::Figure;
use crate::domain::indicator::IndicatorCode;
use crate::domain::submission::{Revision, RevisionStatus, Submission};
use crate::domain::traeger::Ags;
use crate::domain::transmission::{BaMarker, DataRow, Transmission};

string_enum! {
    /// Where a target stands: `met`, `not_met`, or `pending` while the month it is judged on
    /// has no figure (not delivered yet, or suppressed by BA).
    TargetStatus as "TargetStatus" { Met = "met", NotMet = "not_met", Pending = "pending" }
}

impl TargetStatus {
    /// The standing as a German report states it.
    pub fn german(self) -> &'static str {
        match self {
            TargetStatus::Met => "erreicht",
            TargetStatus::NotMet => "nicht erreicht",
            TargetStatus::Pending => "offen",
        }
    }
}

/// One month's figure (or, for a figure of the whole year, the year's) as it was known: its
/// value or BA's mark, its Datenstand, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigure {
    pub year: i32,
    /// None for a figure of the whole year.
    pub month: Option<u32>,
    pub value: Option<Figure>,
    pub marker: Option<BaMarker>,
    pub data_as_of: Option<NaiveDate>,
    /// The transmission (or the Träger's submission) it comes from.
    pub origin: String,
    /// The transmission's version (or the submission's accepted revision; 0 when not known).
    pub version: i32,
}

/// The figures of one Träger's indicator as known at `as_of` (all when None), month by month
/// for a Kennzahl or one for the whole year: for each month (or year) the row with the latest
/// Datenstand up to then, from any version of any transmission (a later version wins a tie). A
/// row without Datenstand counts as known from the day HMSI received its version.
pub fn known_months(
    transmissions: &[Transmission],
    traeger: &Ags,
    indicator: &IndicatorCode,
    as_of: Option<NaiveDate>,
) -> Vec<MonthFigure> {
    let mut best: Vec<(NaiveDate, MonthFigure)> = Vec::new();
    for t in transmissions {
        for v in &t.versions {
            let received = german_date(v.received_at.and_utc());
            let rows = v
                .rows
                .iter()
                .filter(|r: &&DataRow| &r.traeger == traeger && &r.indicator == indicator);
            for r in rows {
                let known = r.data_as_of.unwrap_or(received);
                if as_of.is_some_and(|a| known > a) {
                    continue;
                }
                let candidate = MonthFigure {
                    year: t.year,
                    month: r.month,
                    value: r.value.clone(),
                    marker: r.marker,
                    data_as_of: r.data_as_of,
                    origin: t.id.to_string(),
                    version: v.number,
                };
                let period = (t.year, r.month);
                match best.iter_mut().find(|(_, b)| (b.year, b.month) == period) {
                    Some(b) if b.0 <= known => *b = (known, candidate),
                    Some(_) => {}
                    None => best.push((known, candidate)),
                }
            }
        }
    }
    let mut best: Vec<MonthFigure> = best.into_iter().map(|(_, b)| b).collect();
    best.sort_by_key(|b| (b.year, b.month));
    best
}

/// A Träger's own figure of the whole year as it held at `as_of` (now when None): per year,
/// the value of the latest revision accepted by then (a figure under review never counts).
pub fn accepted_figures(
    submissions: &[Submission],
    indicator: &IndicatorCode,
    as_of: Option<NaiveDate>,
) -> Vec<MonthFigure> {
    let held = |r: &&Revision| match as_of {
        None => r.status == RevisionStatus::Accepted,
        Some(day) => {
            matches!(
                r.status,
                RevisionStatus::Accepted | RevisionStatus::Superseded
            ) && r
                .reviewed_at
                .is_some_and(|at| german_date(at.and_utc()) <= day)
        }
    };
    let mut out: Vec<MonthFigure> = Vec::new();
    for s in submissions {
        let Some(revision) = s.revisions.iter().filter(held).max_by_key(|r| r.number) else {
            continue;
        };
        let Some(entry) = revision.values.iter().find(|v| &v.indicator == indicator) else {
            continue;
        };
        out.retain(|f| f.year != s.year);
        out.push(MonthFigure {
            year: s.year,
            month: None,
            value: Some(entry.value.clone()),
            marker: None,
            data_as_of: None,
            origin: s.id.to_string(),
            version: revision.number,
        });
    }
    out.sort_by_key(|f| f.year);
    out
}

/// A target judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub target: Target,
    pub status: TargetStatus,
    /// The month the target is judged on: `judged_on`'s, or the latest of the year with a
    /// figure.
    pub judged: Option<MonthFigure>,
    /// What is compared with the target: the value, or its change in percent.
    pub actual: Option<Figure>,
    /// The months of the agreement's year, as known.
    pub series: Vec<MonthFigure>,
}

/// The change in percent of `now` against `before` (a year earlier), for a ratio already
/// relative to the year before (K1, K3: `(r − 1) × 100`), or for two values of a percent or
/// count (`(now ÷ before − 1) × 100`), rounded half away from zero to the percent's decimals.
fn change(now: &Figure, before: Option<&Figure>) -> Option<Figure> {
    let scale = 10_i128.pow(crate::domain::figure::PERCENT_DECIMALS);
    let ratio_scale = 10_i128.pow(crate::domain::figure::RATIO_DECIMALS);
    // num ÷ den rounded half away from zero.
    let exact = |num: i128, den: i128| -> Option<i64> {
        if den == 0 {
            return None;
        }
        let rounded = (2 * num.abs() + den.abs()) / (2 * den.abs());
        i64::try_from(num.signum() * den.signum() * rounded).ok()
    };
    match (now, before) {
        (Figure::Ratio(r), _) => {
            // (r / 10^6 − 1) × 100 percent, in 10^-4 percent.
            exact((i128::from(*r) - ratio_scale) * 100 * scale, ratio_scale).map(Figure::Percent)
        }
        (n, Some(b)) => {
            let (n, b) = (i128::from(n.scaled()?), i128::from(b.scaled()?));
            exact((n - b) * 100 * scale, b).map(Figure::Percent)
        }
        _ => None,
    }
}

/// Whether `actual` meets `target` by `operator` (both of one kind of figure).
fn meets(actual: &Figure, target: &Figure, operator: Operator) -> Option<bool> {
    let (a, t) = (actual.scaled()?, target.scaled()?);
    Some(match operator {
        Operator::AtLeast => a >= t,
        Operator::AtMost => a <= t,
    })
}

/// Judges `target` of an agreement of `year` on `months` (this year's and last year's, as
/// known), whose unit is `unit`.
pub fn judge(
    target: &Target,
    year: i32,
    unit: crate::domain::indicator::Unit,
    months: &[MonthFigure],
) -> Judgement {
    let series: Vec<MonthFigure> = months.iter().filter(|m| m.year == year).cloned().collect();
    let wanted = target.judged_on.and_then(|j| j.month);
    let judged = match wanted {
        Some(m) => series.iter().find(|f| f.month == Some(m)).cloned(),
        None => series.iter().rev().find(|f| f.value.is_some()).cloned(),
    };
    let actual = judged.as_ref().and_then(|j| {
        let value = j.value.as_ref()?;
        match target.comparison {
            Comparison::Level => Some(value.clone()),
            Comparison::ChangeVsPreviousYear => {
                let before = months
                    .iter()
                    .find(|m| m.year == year - 1 && m.month == j.month)
                    .and_then(|m| m.value.as_ref());
                change(value, before)
            }
        }
    });
    let goal_unit = match target.comparison {
        Comparison::Level => unit,
        Comparison::ChangeVsPreviousYear => crate::domain::indicator::Unit::Percent,
    };
    let goal = Figure::parse(&serde_json::Value::String(target.value.clone()), goal_unit).ok();
    let status = match (&actual, &goal) {
        (Some(a), Some(g)) => match meets(a, g, target.operator) {
            Some(true) => TargetStatus::Met,
            Some(false) => TargetStatus::NotMet,
            None => TargetStatus::Pending,
        },
        _ => TargetStatus::Pending,
    };
    Judgement {
        target: target.clone(),
        status,
        judged,
        actual,
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::targets::JudgedOn;
    use crate::domain::indicator::Unit;

    fn month(year: i32, month: u32, value: Option<Figure>, as_of: &str) -> MonthFigure {
        MonthFigure {
            year,
            month: Some(month),
            value,
            marker: None,
            data_as_of: Some(as_of.parse().unwrap()),
            origin: format!("ba-{year}-1"),
            version: 1,
        }
    }

    fn target(
        code: &str,
        comparison: Comparison,
        operator: Operator,
        value: &str,
        judged_on: Option<&str>,
    ) -> Target {
        Target {
            indicator: IndicatorCode::parse(code).unwrap(),
            value: value.into(),
            comparison,
            operator,
            judged_on: judged_on.map(|j| JudgedOn::parse(j).unwrap()),
        }
    }

    #[test]
    fn k3_falls_by_at_least_a_quarter_percent() {
        let k3 = target(
            "k3",
            Comparison::ChangeVsPreviousYear,
            Operator::AtMost,
            "-0.25",
            Some("2024-07"),
        );
        let july = |r| vec![month(2024, 7, Some(Figure::Ratio(r)), "2024-10-15")];
        // 0.9713: −2.87 %, a fall of more than 0.25 %: met.
        let j = judge(&k3, 2024, Unit::Ratio, &july(971_300));
        assert_eq!(
            (j.status, j.actual),
            (TargetStatus::Met, Some(Figure::Percent(-28_700)))
        );
        // 0.9990: −0.1 %: not met.
        assert_eq!(
            judge(&k3, 2024, Unit::Ratio, &july(999_000)).status,
            TargetStatus::NotMet
        );
        // July not delivered: pending.
        let june = vec![month(2024, 6, Some(Figure::Ratio(900_000)), "2024-10-15")];
        assert_eq!(
            judge(&k3, 2024, Unit::Ratio, &june).status,
            TargetStatus::Pending
        );
    }

    #[test]
    fn k2_may_fall_by_no_more_than_seven_percent_against_the_year_before() {
        let k2 = target(
            "k2",
            Comparison::ChangeVsPreviousYear,
            Operator::AtLeast,
            "-7",
            None,
        );
        let months = vec![
            month(2023, 12, Some(Figure::Percent(250_000)), "2024-03-15"),
            month(2024, 11, Some(Figure::Percent(240_000)), "2024-10-15"),
            month(2024, 12, Some(Figure::Percent(230_000)), "2025-03-15"),
        ];
        // Judged on the latest month of the year: December, 23.0 against 25.0: −8 %.
        let j = judge(&k2, 2024, Unit::Percent, &months);
        assert_eq!(j.judged.as_ref().and_then(|m| m.month), Some(12));
        assert_eq!(
            (j.status, j.actual),
            (TargetStatus::NotMet, Some(Figure::Percent(-80_000)))
        );
        assert_eq!(j.series.len(), 2, "this year's months only");
    }

    #[test]
    fn the_latest_vintage_known_at_as_of_counts() {
        let row = |value: i64, as_of: &str| crate::domain::transmission::DataRow {
            traeger: Ags::parse("06432").unwrap(),
            indicator: IndicatorCode::parse("k3").unwrap(),
            month: Some(7),
            value: Some(Figure::Ratio(value)),
            marker: None,
            provisional: false,
            revised: false,
            data_as_of: Some(as_of.parse().unwrap()),
        };
        let version = |n: i32, rows| crate::domain::transmission::DataVersion {
            number: n,
            reason: None,
            received_by: "hmsi".into(),
            received_at: chrono::NaiveDateTime::default(),
            forwarded_by: None,
            forwarded_at: None,
            rows,
            acknowledgements: Vec::new(),
        };
        let t = Transmission {
            id: "ba-2024-1".parse().unwrap(),
            year: 2024,
            ba_reference: "K".into(),
            requested_on: NaiveDate::default(),
            note: None,
            indicators: Vec::new(),
            versions: vec![
                version(1, vec![row(971_300, "2024-10-15")]),
                version(2, vec![row(968_800, "2024-11-12")]),
            ],
            version: 2,
            created_at: chrono::NaiveDateTime::default(),
            updated_at: chrono::NaiveDateTime::default(),
        };
        let (traeger, code) = (
            Ags::parse("06432").unwrap(),
            IndicatorCode::parse("k3").unwrap(),
        );
        let before = known_months(
            std::slice::from_ref(&t),
            &traeger,
            &code,
            Some("2024-11-01".parse().unwrap()),
        );
        assert_eq!(before[0].value, Some(Figure::Ratio(971_300)));
        let after = known_months(std::slice::from_ref(&t), &traeger, &code, None);
        assert_eq!(
            (after[0].value.clone(), after[0].version),
            (Some(Figure::Ratio(968_800)), 2)
        );
        assert!(
            known_months(&[t], &traeger, &code, Some("2024-01-01".parse().unwrap())).is_empty()
        );
    }

    #[test]
    fn changes_round_half_away_from_zero() {
        // A third of a percent up and down: 0.3333 %; two thirds: 0.6667 %.
        let change_of = |now: i64| change(&Figure::Count(now), Some(&Figure::Count(300)));
        assert_eq!(change_of(301), Some(Figure::Percent(3_333)));
        assert_eq!(change_of(299), Some(Figure::Percent(-3_333)));
        assert_eq!(change_of(302), Some(Figure::Percent(6_667)));
        assert_eq!(change_of(298), Some(Figure::Percent(-6_667)));
        assert_eq!(change(&Figure::Count(1), Some(&Figure::Count(0))), None);
    }
}
