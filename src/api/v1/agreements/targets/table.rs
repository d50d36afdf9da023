//! Targets as CSV for German spreadsheets (`;`, a BOM, decimal commas): one row per target,
//! with the month it is judged on, the actual value and the standing, and the figure and
//! Datenstand it rests on.

use crate::api::formats::{csv_start, csv_writer};
use crate::app::agreements::targets::AgreementTargets;
use crate::domain::calendar::period;
use crate::domain::transmission::cell;

const COLUMNS: [&str; 17] = [
    "agreement_id",
    "traeger",
    "traeger_name",
    "indicator",
    "name_de",
    "comparison",
    "operator",
    "target",
    "judged_on",
    "month",
    "actual",
    "status",
    "status_de",
    "value",
    "data_as_of",
    "origin",
    "version",
];

/// A decimal string as German spreadsheets read it.
fn comma(decimal: &str) -> String {
    decimal.replace('.', ",")
}

/// The agreements' targets, one row each.
pub fn csv(agreements: &[AgreementTargets]) -> Vec<u8> {
    let mut w = csv_writer(true, csv_start(true));
    let _ = w.write_record(COLUMNS);
    for a in agreements {
        for j in &a.judged {
            let (t, judged) = (&j.judgement.target, j.judgement.judged.as_ref());
            let month = judged.map(|m| period(m.year, m.month));
            let _ = w.write_record([
                a.agreement.id.as_str(),
                a.agreement.traeger.as_str(),
                &a.traeger_name,
                t.indicator.as_str(),
                j.indicator
                    .as_ref()
                    .map_or("", |i| i.definition.name_de.as_str()),
                t.comparison.as_str(),
                t.operator.as_str(),
                &comma(&t.value),
                &t.judged_on.map(String::from).unwrap_or_default(),
                month.as_deref().unwrap_or(""),
                &j.judgement
                    .actual
                    .as_ref()
                    .map(|f| f.with_decimal_comma())
                    .unwrap_or_default(),
                j.judgement.status.as_str(),
                j.judgement.status.german(),
                &judged.map_or_else(String::new, |m| cell(m.value.as_ref(), m.marker, true)),
                &judged
                    .and_then(|m| m.data_as_of)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                judged.map_or("", |m| m.origin.as_str()),
                &judged.map(|m| m.version.to_string()).unwrap_or_default(),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}
