//! Targets as a chart: a panel per target with the year's months of the Träger, the target as
//! a dashed line where it reads in the figure's unit (a level, or for K1 and K3 a change as
//! the ratio it means), BA's suppressed months crossed, the standing in the caption.

use crate::app::agreements::targets::Judged;
use crate::domain::agreement::targets::{Comparison, Operator};
use crate::domain::indicator::Unit;
use crate::printing::charts::{self, Line, Panel};

/// The agreements' targets judged, as one chart titled `title`: the panels of each agreement
/// one under another, each named for its Träger (`label`).
pub fn svg(title: &str, agreements: &[(&str, &[Judged])]) -> String {
    let panels: Vec<Panel> = agreements
        .iter()
        .flat_map(|(label, judged)| judged.iter().map(move |j| panel(label, j)))
        .collect();
    charts::svg(title, &panels)
}

/// Where the target reads in the figure's unit, if it does.
fn target_line(j: &Judged) -> Option<f64> {
    let t = &j.judgement.target;
    let goal = t.value.parse::<f64>().ok();
    match (
        t.comparison,
        j.indicator.as_ref().map(|i| i.definition.unit),
    ) {
        (Comparison::Level, _) => goal,
        (Comparison::ChangeVsPreviousYear, Some(Unit::Ratio)) => goal.map(|g| 1.0 + g / 100.0),
        _ => None,
    }
}

/// The target as the caption states it: `Ziel ≤ -0.25 %` of a change, `Ziel ≥ 400` of a level.
pub fn goal_de(j: &Judged) -> String {
    let t = &j.judgement.target;
    let sign = match t.operator {
        Operator::AtLeast => "≥",
        Operator::AtMost => "≤",
    };
    match t.comparison {
        Comparison::Level => format!("{sign} {}", t.value),
        Comparison::ChangeVsPreviousYear => format!("Veränderung zum Vorjahr {sign} {} %", t.value),
    }
}

fn panel(label: &str, j: &Judged) -> Panel {
    let t = &j.judgement.target;
    let name = j
        .indicator
        .as_ref()
        .map_or("", |i| i.definition.name_de.as_str());
    let points = j
        .judgement
        .series
        .iter()
        .map(|m| {
            (
                // A figure of the whole year stands at its end.
                m.month.and_then(|m| i32::try_from(m).ok()).unwrap_or(12),
                m.value.as_ref().and_then(|v| v.approx()),
            )
        })
        .collect();
    Panel {
        caption: format!(
            "{} {name}: Ziel {} – {}",
            t.indicator,
            goal_de(j),
            j.judgement.status.german()
        ),
        lines: vec![Line {
            label: label.to_owned(),
            points,
        }],
        target: target_line(j),
        x: (1, 12),
        x_label: |m| format!("{m:02}"),
    }
}
